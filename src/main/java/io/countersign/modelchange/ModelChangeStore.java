package io.countersign.modelchange;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The model_change and model_change_resource tables. */
@Repository
class ModelChangeStore {

	private final JdbcClient jdbc;

	ModelChangeStore(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	record Change(String id, String responseId, String requestedBy, String summary, String baseFingerprint,
			String fingerprint, String diff, String deploymentId, Instant createdAt) {
	}

	record Resource(String name, String sha256, boolean changed, String content) {
	}

	void insert(Change change, List<Resource> resources) {
		this.jdbc.sql("insert into model_change (id, response_id, requested_by, summary, base_fingerprint, fingerprint, "
				+ "diff, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)")
			.params(change.id(), change.responseId(), change.requestedBy(), change.summary(), change.baseFingerprint(),
					change.fingerprint(), change.diff(), Timestamp.from(change.createdAt()))
			.update();
		for (Resource resource : resources) {
			this.jdbc.sql("insert into model_change_resource (change_id, name, sha256, changed, content) "
					+ "values (?, ?, ?, ?, ?)")
				.params(change.id(), resource.name(), resource.sha256(), resource.changed(), resource.content())
				.update();
		}
	}

	Optional<Change> find(String id) {
		return this.jdbc.sql(SELECT + " where id = ?").param(id).query(ModelChangeStore::change).optional();
	}

	Optional<Change> forResponse(String responseId) {
		return this.jdbc.sql(SELECT + " where response_id = ?").param(responseId).query(ModelChangeStore::change)
			.optional();
	}

	List<Resource> resources(String changeId) {
		return this.jdbc.sql("select name, sha256, changed, content from model_change_resource where change_id = ? "
				+ "order by name")
			.param(changeId)
			.query((rs, row) -> new Resource(rs.getString("name"), rs.getString("sha256"), rs.getBoolean("changed"),
					rs.getString("content")))
			.list();
	}

	void deployed(String changeId, String deploymentId) {
		this.jdbc.sql("update model_change set deployment_id = ? where id = ?").params(deploymentId, changeId).update();
	}

	void undeployed(String changeId) {
		this.jdbc.sql("update model_change set deployment_id = null where id = ?").param(changeId).update();
	}

	private static final String SELECT = "select id, response_id, requested_by, summary, base_fingerprint, fingerprint, "
			+ "diff, deployment_id, created_at from model_change";

	private static Change change(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		return new Change(rs.getString("id"), rs.getString("response_id"), rs.getString("requested_by"),
				rs.getString("summary"), rs.getString("base_fingerprint"), rs.getString("fingerprint"),
				rs.getString("diff"), rs.getString("deployment_id"), rs.getTimestamp("created_at").toInstant());
	}

}
