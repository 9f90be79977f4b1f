package io.countersign.connector.postgresql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens real connections and records everything {@link PostgresRoles} sends over them: each SQL text and each bound
 * string parameter. What a test finds missing here never reached the server.
 */
final class RecordingConnections implements PostgresRoles.ConnectionSource {

	private static final Set<String> SQL_METHODS = Set.of("prepareStatement", "prepareCall", "nativeSQL", "execute",
			"executeQuery", "executeUpdate", "executeLargeUpdate", "addBatch");

	private final PostgresRoles.ConnectionSource delegate;

	private final List<String> sent = new CopyOnWriteArrayList<>();

	private final AtomicInteger opened = new AtomicInteger();

	RecordingConnections(PostgresRoles.ConnectionSource delegate) {
		this.delegate = delegate;
	}

	@Override
	public Connection open() throws SQLException {
		Connection connection = this.delegate.open();
		this.opened.incrementAndGet();
		return wrap(Connection.class, connection);
	}

	/** Every SQL text and bound string parameter sent so far, in order. */
	List<String> sent() {
		return List.copyOf(this.sent);
	}

	int connectionsOpened() {
		return this.opened.get();
	}

	private <T> T wrap(Class<T> type, Object target) {
		InvocationHandler handler = (proxy, method, args) -> {
			record(method, args);
			Object result;
			try {
				result = method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
			return (result instanceof Statement && Statement.class.isAssignableFrom(method.getReturnType()))
					? wrap(method.getReturnType(), result) : result;
		};
		return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type }, handler));
	}

	private void record(Method method, Object[] args) {
		if (args == null || args.length == 0) {
			return;
		}
		if (SQL_METHODS.contains(method.getName()) && args[0] instanceof String sql) {
			this.sent.add(sql);
		}
		else if (method.getName().startsWith("set") && args.length >= 2 && args[1] instanceof String value) {
			this.sent.add(value);
		}
	}

}
