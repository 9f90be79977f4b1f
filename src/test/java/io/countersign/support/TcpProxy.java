package io.countersign.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a server (PostgreSQL in the outage tests), that a test can cut and restore: cut
 * closes every open connection and refuses new ones, as a database that went down does; restore listens again on
 * the same port, as the database coming back.
 */
public final class TcpProxy implements AutoCloseable {

	private final String targetHost;

	private final int targetPort;

	private final int port;

	private final List<Socket> open = new CopyOnWriteArrayList<>();

	private volatile ServerSocket server;

	public TcpProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			this.port = probe.getLocalPort();
		}
		restore();
	}

	public int port() {
		return this.port;
	}

	public synchronized void restore() throws IOException {
		if (this.server != null) {
			return;
		}
		ServerSocket listening = new ServerSocket();
		listening.setReuseAddress(true);
		listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
		this.server = listening;
		Thread acceptor = new Thread(() -> accept(listening), "tcp-proxy-accept-" + this.port);
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public synchronized void cut() throws IOException {
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
		for (Socket socket : this.open) {
			closeQuietly(socket);
		}
		this.open.clear();
	}

	@Override
	public void close() throws IOException {
		cut();
	}

	private void accept(ServerSocket listening) {
		while (!listening.isClosed()) {
			try {
				Socket client = listening.accept();
				Socket upstream = new Socket(this.targetHost, this.targetPort);
				this.open.add(client);
				this.open.add(upstream);
				pump(client, upstream);
				pump(upstream, client);
			}
			catch (IOException ex) {
				// Closed by cut(), or the target refused: the client sees its connection end.
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread pump = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// One side went away; the finally below ends the other.
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.open.remove(from);
				this.open.remove(to);
			}
		}, "tcp-proxy-pump");
		pump.setDaemon(true);
		pump.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

}
