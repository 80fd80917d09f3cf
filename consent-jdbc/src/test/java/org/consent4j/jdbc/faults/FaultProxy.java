package org.consent4j.jdbc.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy between the code under test and a real database, which can pass traffic, stall it
 * (bytes stop flowing; connections stay open) or drop it (every connection is cut and new ones are
 * refused at once), to produce real network faults without touching the database.
 */
final class FaultProxy implements AutoCloseable {
  enum State { PASS, STALL, DROP }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile State state = State.PASS;
  private volatile boolean closed;

  /** A proxy to the host and port of {@code jdbcUrl} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}). */
  FaultProxy(String jdbcUrl) throws IOException {
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalArgumentException("no host:port in the JDBC URL");
    }
    this.targetHost = m.group(1);
    this.targetPort = Integer.parseInt(m.group(2));
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+):(\\d+)");

  /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
  String url(String jdbcUrl) {
    return HOST_PORT.matcher(jdbcUrl).replaceFirst("//127.0.0.1:" + server.getLocalPort());
  }

  void pass() {
    state = State.PASS;
  }

  void stall() {
    state = State.STALL;
  }

  /** Cuts every open connection and refuses new ones until {@link #pass()}. */
  void drop() {
    state = State.DROP;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (state == State.DROP) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          while (state == State.STALL) {
            Thread.sleep(5);
          }
          if (state == State.DROP) {
            break;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the other side closed, or the proxy dropped the connection
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "fault-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing a socket that is gone already
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    drop();
    server.close();
  }
}
