package io.countersign.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.countersign.action.CanonicalJson;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import org.springframework.stereotype.Component;

/**
 * Chains the timeline events recorded before the ledger existed, in the order they were recorded, and drops
 * {@code response_event}. The table goes rather than stays unused: it has a foreign key to {@code response} and
 * nothing would keep a second, unchained timeline from growing in it again.
 *
 * <p>Flyway applies it between V3 and V4 because Spring Boot hands every {@code JavaMigration} bean to Flyway; being a
 * bean keeps it in this package instead of in an extra Flyway location. Each entry's data says it was migrated and
 * from which event row: those events were written before anything protected them.
 */
@Component
class V3_1__Ledger_from_response_events extends BaseJavaMigration {

	private static final int BATCH_SIZE = 500;

	@Override
	public void migrate(Context context) throws SQLException {
		Connection connection = context.getConnection();
		long seq = 0;
		String prevHash = LedgerHashes.GENESIS;
		long afterId = Long.MIN_VALUE;
		boolean more = true;
		try (PreparedStatement select = connection.prepareStatement("""
				select id, response_id, at, type, actor, detail from response_event where id > ? order by id
				fetch first %d rows only""".formatted(BATCH_SIZE));
				PreparedStatement insert = connection.prepareStatement("""
						insert into ledger_entry (seq, at, response_id, type, actor, detail, data, prev_hash, hash)
						values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
			while (more) {
				select.setLong(1, afterId);
				int rows = 0;
				try (ResultSet rs = select.executeQuery()) {
					while (rs.next()) {
						rows++;
						afterId = rs.getLong("id");
						seq++;
						Instant at = LedgerHashes.truncate(rs.getObject("at", OffsetDateTime.class).toInstant());
						String responseId = rs.getString("response_id");
						String type = rs.getString("type");
						String actor = rs.getString("actor");
						String detail = rs.getString("detail");
						ObjectNode provenance = LedgerHashes.JSON.createObjectNode()
							.put("migratedFrom", "response_event")
							.put("eventId", afterId);
						String dataText = CanonicalJson.write(provenance);
						JsonNode data = LedgerHashes.parseData(dataText);
						String hash = LedgerHashes.hash(seq, at, responseId, type, actor, detail, data, prevHash);
						insert.setLong(1, seq);
						insert.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
						insert.setString(3, responseId);
						insert.setString(4, type);
						insert.setString(5, actor);
						insert.setString(6, detail);
						insert.setString(7, dataText);
						insert.setString(8, prevHash);
						insert.setString(9, hash);
						insert.addBatch();
						prevHash = hash;
					}
				}
				if (rows > 0) {
					insert.executeBatch();
				}
				more = rows == BATCH_SIZE;
			}
		}
		try (PreparedStatement head = connection.prepareStatement("update ledger_head set seq = ?, hash = ? where id = 1")) {
			head.setLong(1, seq);
			head.setString(2, prevHash);
			head.executeUpdate();
		}
		try (Statement drop = connection.createStatement()) {
			drop.execute("drop table response_event");
		}
	}

}
