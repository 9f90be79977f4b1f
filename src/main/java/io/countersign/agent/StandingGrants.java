package io.countersign.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code agent_grant}: standing grants, and which of them a new request matches. Matching is narrowest first (exact
 * arguments, then a pattern, then the whole tool), then the grant that expires soonest: the approval a reviewer gave
 * for the least is the one that answers.
 */
@Repository
class StandingGrants {

	static final Comparator<StandingGrant> NARROWEST_FIRST = Comparator
		.comparing((StandingGrant grant) -> grant.kind().ordinal())
		.thenComparing(StandingGrant::expiresAt)
		.thenComparing(StandingGrant::id);

	private static final String COLUMNS = "id, account_id, agent, tool, kind, arguments_hash, pattern_json, scope, "
			+ "max_duration, created_by, reason, source_action_id, created_at, expires_at, revoked_by, revoke_reason, "
			+ "revoked_at, use_count";

	private final JdbcClient jdbc;

	StandingGrants(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** What a reviewer asks for along with an approval. */
	record Spec(GrantKind kind, String patternJson, int days) {
	}

	StandingGrant create(AgentAction action, Spec spec, String reviewer, String reason, Instant now) {
		String id = UUID.randomUUID().toString();
		Instant expiresAt = now.plus(Duration.ofDays(spec.days()));
		this.jdbc.sql("insert into agent_grant (id, account_id, agent, tool, kind, arguments_hash, pattern_json, "
				+ "scope, max_duration, created_by, reason, source_action_id, created_at, expires_at) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(id, action.accountId(), action.agent(), action.tool(), spec.kind().name(),
					spec.kind() == GrantKind.EXACT_ARGUMENTS ? action.argumentsHash() : null,
					spec.kind() == GrantKind.ARGUMENT_PATTERN ? spec.patternJson() : null, action.approvedScope(),
					action.approvedDuration(), reviewer, reason, action.id(), AgentActionStore.ts(now),
					AgentActionStore.ts(expiresAt))
			.update();
		return find(id).orElseThrow();
	}

	Optional<StandingGrant> find(String id) {
		return this.jdbc.sql("select " + COLUMNS + " from agent_grant where id = ?")
			.param(id)
			.query(StandingGrants::map)
			.optional();
	}

	/**
	 * The narrowest active grant of this account and agent that covers the call: its kind still within what the
	 * policy allows for the tool, its scope covering every requested scope.
	 */
	Optional<StandingGrant> match(AgentAction action, JsonNode arguments, GrantKind allowed, Instant now) {
		if (allowed == null) {
			return Optional.empty();
		}
		List<String> requestedScope = action.scopeTokens();
		return this.jdbc
			.sql("select " + COLUMNS + " from agent_grant where account_id = ? and agent = ? and tool = ? "
					+ "and revoked_at is null and expires_at > ?")
			.params(action.accountId(), action.agent(), action.tool(), AgentActionStore.ts(now))
			.query(StandingGrants::map)
			.list()
			.stream()
			.filter(grant -> grant.kind().within(allowed))
			.filter(grant -> new HashSet<>(AgentActionRequest.scopeTokens(grant.scope(), "scope"))
				.containsAll(requestedScope))
			.filter(grant -> covers(grant, action, arguments))
			.min(NARROWEST_FIRST);
	}

	private static boolean covers(StandingGrant grant, AgentAction action, JsonNode arguments) {
		return switch (grant.kind()) {
			case EXACT_ARGUMENTS -> action.argumentsHash().equals(grant.argumentsHash());
			case ARGUMENT_PATTERN -> ArgumentPattern.parse(grant.patternJson()).matches(arguments);
			case TOOL -> true;
		};
	}

	/** @param accountId only this account's grants, or {@code null} for all */
	List<StandingGrant> list(String accountId, boolean activeOnly, Instant now, int limit) {
		StringBuilder sql = new StringBuilder("select " + COLUMNS + " from agent_grant where 1 = 1");
		JdbcClient.StatementSpec statement;
		if (accountId != null) {
			sql.append(" and account_id = :account");
		}
		if (activeOnly) {
			sql.append(" and revoked_at is null and expires_at > :now");
		}
		sql.append(" order by created_at desc, id fetch first ").append(limit).append(" rows only");
		statement = this.jdbc.sql(sql.toString());
		if (accountId != null) {
			statement = statement.param("account", accountId);
		}
		if (activeOnly) {
			statement = statement.param("now", AgentActionStore.ts(now));
		}
		return statement.query(StandingGrants::map).list();
	}

	boolean revoke(String id, String by, String reason, Instant now) {
		return this.jdbc.sql("update agent_grant set revoked_by = ?, revoke_reason = ?, revoked_at = ? "
				+ "where id = ? and revoked_at is null")
			.params(by, reason, AgentActionStore.ts(now), id)
			.update() == 1;
	}

	void countUse(String id) {
		this.jdbc.sql("update agent_grant set use_count = use_count + 1 where id = ?").param(id).update();
	}

	private static StandingGrant map(ResultSet rs, int row) throws SQLException {
		return new StandingGrant(rs.getString("id"), rs.getString("account_id"), rs.getString("agent"),
				rs.getString("tool"), GrantKind.valueOf(rs.getString("kind")), rs.getString("arguments_hash"),
				rs.getString("pattern_json"), rs.getString("scope"), rs.getInt("max_duration"),
				rs.getString("created_by"), rs.getString("reason"), rs.getString("source_action_id"),
				AgentActionStore.instant(rs, "created_at"), AgentActionStore.instant(rs, "expires_at"),
				rs.getString("revoked_by"), rs.getString("revoke_reason"), AgentActionStore.instant(rs, "revoked_at"),
				rs.getInt("use_count"));
	}

}
