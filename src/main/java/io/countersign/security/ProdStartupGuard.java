package io.countersign.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.camunda.bpm.engine.identity.PasswordPolicyRule;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.identity.DefaultPasswordPolicyImpl;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Refuses to start the prod profile with demo credentials, with receipt signing keys stored unencrypted, without
 * the secret the ledger checkpoint key is derived from, or, with profile {@code keycloak}, without the OpenID Connect
 * issuer (https), client and client secret. As a bean
 * factory post-processor it runs before any bean exists, so a refused configuration never builds the engine, never
 * creates an admin user and never opens a port.
 *
 * <p>The password rules are Camunda's own {@link DefaultPasswordPolicyImpl}, the policy the prod profile switches on
 * for every user: a password the guard accepts is one the engine accepts.
 */
class ProdStartupGuard implements BeanFactoryPostProcessor {

	static final String ADMIN_USER_ENV = "COUNTERSIGN_ADMIN_USER";

	static final String ADMIN_PASSWORD_ENV = "COUNTERSIGN_ADMIN_PASSWORD";

	static final String DB_PASSWORD_ENV = "COUNTERSIGN_DB_PASSWORD";

	static final String DEMO_ENV = "COUNTERSIGN_DEMO";

	static final String RECEIPT_KEY_SECRET_ENV = "COUNTERSIGN_RECEIPT_KEY_SECRET";

	static final String LEDGER_KEY_SECRET_ENV = "COUNTERSIGN_LEDGER_KEY_SECRET";

	static final String PUBLIC_URL_ENV = "COUNTERSIGN_PUBLIC_URL";

	static final String SINGLE_SIGN_ON_PROFILE = "keycloak";

	static final String OIDC_ISSUER_ENV = "COUNTERSIGN_OIDC_ISSUER";

	static final String OIDC_CLIENT_ID_ENV = "COUNTERSIGN_OIDC_CLIENT_ID";

	static final String OIDC_CLIENT_SECRET_ENV = "COUNTERSIGN_OIDC_CLIENT_SECRET";

	/** As ReceiptProperties requires: the SHA-256 of the secret is the AES key, so it needs real entropy. */
	static final int MIN_RECEIPT_KEY_SECRET_LENGTH = 32;

	static final String DEMO_DB_PASSWORD = "countersign";

	/** Compared after {@link #undecorated(String)}, so "Admin123!" and "P@ssw0rd" count too. */
	private static final Set<String> DEMO_PASSWORDS = Set.of("admin", "administrator", "demo", "changeme", "password",
			"passwort", "secret", "default", "welcome", "letmein", "test", "qwerty", "camunda", "countersign", "alice",
			"bob", "carol", "dave", "erin", "scanner");

	private static final Map<Character, Character> LEET = Map.of('@', 'a', '4', 'a', '3', 'e', '1', 'i', '!', 'i',
			'0', 'o', '$', 's', '5', 's', '7', 't');

	private static final Map<String, String> POLICY_RULES = Map.of("PASSWORD_POLICY_LENGTH", "at least %s characters",
			"PASSWORD_POLICY_LOWERCASE", "a lower-case letter", "PASSWORD_POLICY_UPPERCASE", "an upper-case letter",
			"PASSWORD_POLICY_DIGIT", "a digit", "PASSWORD_POLICY_SPECIAL", "a special character",
			"PASSWORD_POLICY_USER_DATA", "none of the admin's id, first name, last name or e-mail");

	private final Environment environment;

	ProdStartupGuard(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		List<String> problems = problems();
		if (!problems.isEmpty()) {
			throw new IllegalStateException(problems.stream()
				.collect(Collectors.joining(System.lineSeparator() + "  - ",
						"Refusing to start with the prod profile:" + System.lineSeparator() + "  - ", "")));
		}
	}

	List<String> problems() {
		List<String> problems = new ArrayList<>();
		if (this.environment.acceptsProfiles(Profiles.of(SINGLE_SIGN_ON_PROFILE))) {
			// Administrators are Keycloak's camunda-admin members; no admin user or password is configured here.
			singleSignOnProblems(problems);
		}
		else {
			adminProblems(problems);
		}
		if (this.environment.getProperty("countersign.demo.enabled", Boolean.class, false)) {
			problems.add("countersign.demo.enabled is true (" + DEMO_ENV
					+ "); demo users have their user id as password");
		}
		String dbPassword = property("spring.datasource.password");
		if (dbPassword.isEmpty()) {
			problems.add(DB_PASSWORD_ENV + " is not set; the database password (spring.datasource.password) is empty");
		}
		else if (dbPassword.equalsIgnoreCase(DEMO_DB_PASSWORD)) {
			problems.add(DB_PASSWORD_ENV + " is the demo default '" + DEMO_DB_PASSWORD + "'");
		}
		String receiptKeySecret = property("countersign.receipts.key-encryption-secret");
		if (receiptKeySecret.isEmpty()) {
			problems.add(RECEIPT_KEY_SECRET_ENV + " is not set; it encrypts the receipt signing keys in the database"
					+ " (countersign.receipts.key-encryption-secret)");
		}
		else if (receiptKeySecret.length() < MIN_RECEIPT_KEY_SECRET_LENGTH) {
			problems.add(RECEIPT_KEY_SECRET_ENV + " has " + receiptKeySecret.length()
					+ " characters; it needs at least " + MIN_RECEIPT_KEY_SECRET_LENGTH);
		}
		String ledgerKeySecret = property("countersign.ledger.key-secret");
		if (ledgerKeySecret.isEmpty()) {
			problems.add(LEDGER_KEY_SECRET_ENV + " is not set; the ledger checkpoint signing key is derived from it"
					+ " (countersign.ledger.key-secret)");
		}
		else if (ledgerKeySecret.length() < MIN_RECEIPT_KEY_SECRET_LENGTH) {
			problems.add(LEDGER_KEY_SECRET_ENV + " has " + ledgerKeySecret.length() + " characters; it needs at least "
					+ MIN_RECEIPT_KEY_SECRET_LENGTH);
		}
		// Every notification links here; a derived host name (the pod's, say) would send approvers nowhere, or to
		// whoever answers that name in their network.
		String publicUrl = property("countersign.public-url");
		if (publicUrl.isBlank()) {
			problems.add(PUBLIC_URL_ENV + " is not set; notifications link approvers to it (countersign.public-url)");
		}
		else if (!publicUrl.startsWith("https://")) {
			problems.add(PUBLIC_URL_ENV + " is not an https URL; approvers would follow links in clear");
		}
		if (this.environment.getProperty("countersign.model-changes.direct-deployments", Boolean.class, false)) {
			problems.add("countersign.model-changes.direct-deployments is true (COUNTERSIGN_DIRECT_DEPLOYMENTS); in prod"
					+ " models change only through countersigned model changes");
		}
		return problems;
	}

	private void adminProblems(List<String> problems) {
		String adminId = property("camunda.bpm.admin-user.id");
		String adminPassword = property("camunda.bpm.admin-user.password");
		if (adminId.isBlank()) {
			problems.add(ADMIN_USER_ENV + " is not set; it names the Camunda admin user (camunda.bpm.admin-user.id)");
		}
		if (adminPassword.isEmpty()) {
			problems.add(ADMIN_PASSWORD_ENV
					+ " is not set; it is the Camunda admin user's password (camunda.bpm.admin-user.password)");
		}
		else {
			adminPasswordProblem(adminId, adminPassword).ifPresent(problems::add);
		}
	}

	private void singleSignOnProblems(List<String> problems) {
		String issuer = property("countersign.oidc.issuer");
		if (issuer.isBlank()) {
			problems.add(OIDC_ISSUER_ENV + " is not set; it is the Keycloak realm's issuer URL (countersign.oidc.issuer)");
		}
		else if (!issuer.startsWith("https://")) {
			problems.add(OIDC_ISSUER_ENV + " is not an https URL; tokens and the client secret would travel in clear");
		}
		if (property("countersign.oidc.client-id").isBlank()) {
			problems.add(OIDC_CLIENT_ID_ENV + " is not set; it names the confidential client (countersign.oidc.client-id)");
		}
		if (property("countersign.oidc.client-secret").isBlank()) {
			problems.add(OIDC_CLIENT_SECRET_ENV
					+ " is not set; it is the confidential client's secret (countersign.oidc.client-secret)");
		}
	}

	private Optional<String> adminPasswordProblem(String adminId, String password) {
		if (password.equalsIgnoreCase(adminId) || DEMO_PASSWORDS.contains(undecorated(password))) {
			return Optional.of(ADMIN_PASSWORD_ENV + " is a well-known demo value or the user id");
		}
		User admin = new UserEntity(adminId);
		admin.setFirstName(property("camunda.bpm.admin-user.first-name"));
		admin.setLastName(property("camunda.bpm.admin-user.last-name"));
		admin.setEmail(property("camunda.bpm.admin-user.email"));
		List<String> missing = new DefaultPasswordPolicyImpl().getRules()
			.stream()
			.filter(rule -> !rule.execute(password, admin))
			.map(ProdStartupGuard::describe)
			.toList();
		if (missing.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(ADMIN_PASSWORD_ENV + " is too weak for Camunda's password policy; it needs "
				+ String.join(", ", missing));
	}

	private static String describe(PasswordPolicyRule rule) {
		String template = POLICY_RULES.get(rule.getPlaceholder());
		if (template == null) {
			return rule.getPlaceholder() + " " + rule.getParameters();
		}
		Map<String, String> parameters = rule.getParameters();
		return template.formatted(parameters == null ? "" : String.join("/", parameters.values()));
	}

	/**
	 * Lower-cases, drops the digits and symbols people put around a word ("Admin123!") and undoes common letter
	 * substitutions inside it ("P@ssw0rd").
	 */
	static String undecorated(String password) {
		String word = password.toLowerCase(Locale.ROOT).replaceAll("^[^a-z]+|[^a-z]+$", "");
		StringBuilder letters = new StringBuilder(word.length());
		for (char c : word.toCharArray()) {
			char letter = LEET.getOrDefault(c, c);
			if (letter >= 'a' && letter <= 'z') {
				letters.append(letter);
			}
		}
		return letters.toString();
	}

	private String property(String name) {
		return this.environment.getProperty(name, "");
	}

}
