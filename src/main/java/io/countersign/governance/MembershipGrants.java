package io.countersign.governance;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** When and by whom each membership was granted. */
@Repository
public class MembershipGrants {

	/** A recorded grant; {@code grantedBy} is null when the engine itself (startup, no user) granted it. */
	public record Grant(String userId, String groupId, Instant grantedAt, String grantedBy) {
	}

	private final JdbcClient jdbc;

	MembershipGrants(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void granted(String userId, String groupId, Instant at, String by) {
		revoked(userId, groupId);
		this.jdbc.sql("insert into membership_grant (user_id, group_id, granted_at, granted_by) values (?, ?, ?, ?)")
			.params(userId, groupId, Timestamp.from(at), by)
			.update();
	}

	void revoked(String userId, String groupId) {
		this.jdbc.sql("delete from membership_grant where user_id = ? and group_id = ?").params(userId, groupId).update();
	}

	void userDeleted(String userId) {
		this.jdbc.sql("delete from membership_grant where user_id = ?").param(userId).update();
	}

	void groupDeleted(String groupId) {
		this.jdbc.sql("delete from membership_grant where group_id = ?").param(groupId).update();
	}

	/** The recorded grant of a membership; empty when the membership predates the record. */
	public Optional<Grant> find(String userId, String groupId) {
		return this.jdbc.sql("select * from membership_grant where user_id = ? and group_id = ?")
			.params(userId, groupId)
			.query((rs, row) -> new Grant(rs.getString("user_id"), rs.getString("group_id"),
					rs.getTimestamp("granted_at").toInstant(), rs.getString("granted_by")))
			.optional();
	}

}
