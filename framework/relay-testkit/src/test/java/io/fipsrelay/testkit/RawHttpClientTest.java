package io.fipsrelay.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawHttpClientTest {

    private CannedServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void reads_a_content_length_response_and_leaves_the_next_one_intact() throws Exception {
        server = CannedServer.answering("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", false);

        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawResponse first = client.readResponse();
            RawResponse second = client.readResponse();

            assertThat(first.protocol()).isEqualTo("HTTP/1.1");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.reason()).isEqualTo("OK");
            assertThat(first.header("content-type")).isEqualTo("text/plain");
            assertThat(first.bodyText()).isEqualTo("hello");
            assertThat(first.chunked()).isFalse();
            assertThat(second.status()).isEqualTo(404);
            assertThat(second.reason()).isEqualTo("Not Found");
            assertThat(second.body()).isEmpty();
        }
    }

    @Test
    void de_chunks_a_chunked_response_with_extensions_and_trailers() throws Exception {
        server = CannedServer.answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n", false);

        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            RawResponse response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.chunked()).isTrue();
            assertThat(response.bodyText()).isEqualTo("Wikipedia in \r\n\r\nchunks.");
            assertThat(response.trailers()).containsExactly(new HttpHeader("Expires", "never"));
            assertThat(client.isClosedByPeer(Duration.ofMillis(200))).isFalse();
        }
    }

    @Test
    void a_head_response_has_no_body_whatever_its_content_length_says() throws Exception {
        server = CannedServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n", false);

        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawResponse head = client.readResponse(true);
            RawResponse next = client.readResponse();

            assertThat(head.header("Content-Length")).isEqualTo("5");
            assertThat(head.body()).isEmpty();
            assertThat(next.status()).isEqualTo(204);
        }
    }

    @Test
    void without_framing_headers_the_body_runs_until_the_server_closes() throws Exception {
        server = CannedServer.answering("HTTP/1.0 200 OK\r\n\r\nall of it", true);

        RawResponse response = RawHttpClient.exchange(server.port(), "GET / HTTP/1.0\r\n\r\n");

        assertThat(response.protocol()).isEqualTo("HTTP/1.0");
        assertThat(response.bodyText()).isEqualTo("all of it");
    }

    @Test
    void exchange_skips_interim_responses() throws Exception {
        server = CannedServer.answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", true);

        RawResponse response = RawHttpClient.exchange(server.port(), "POST / HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.bodyText()).isEqualTo("ok");
    }

    @Test
    void notices_when_the_server_closes_the_connection() throws Exception {
        server = CannedServer.answering("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", true);

        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            client.send("BROKEN\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(400);
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void post_writes_a_well_formed_request() throws Exception {
        server = CannedServer.answering("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", false);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("DD-API-KEY", "k");

        try (RawHttpClient client = RawHttpClient.connect(server.port())) {
            RawResponse response = client.post("/api/v2/series", headers, "{}".getBytes(StandardCharsets.UTF_8))
                    .readResponse();

            assertThat(response.status()).isEqualTo(202);
        }
        assertThat(server.received()).isEqualTo("POST /api/v2/series HTTP/1.1\r\n"
                + "Host: localhost:" + server.port() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "DD-API-KEY: k\r\n"
                + "Content-Length: 2\r\n"
                + "\r\n"
                + "{}");
    }

    /** One connection: reads the request (head plus Content-Length body), writes canned bytes, maybe closes. */
    private static final class CannedServer implements AutoCloseable {
        private final ServerSocket socket;
        private final CompletableFuture<String> received = new CompletableFuture<>();

        private CannedServer(String response, boolean closeAfter) throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> serve(response, closeAfter), "canned-server");
            thread.setDaemon(true);
            thread.start();
        }

        static CannedServer answering(String response, boolean closeAfter) throws IOException {
            return new CannedServer(response, closeAfter);
        }

        int port() {
            return socket.getLocalPort();
        }

        String received() throws Exception {
            return received.get(10, TimeUnit.SECONDS);
        }

        private void serve(String response, boolean closeAfter) {
            try (Socket connection = socket.accept()) {
                connection.setSoTimeout(10_000);
                received.complete(readRequest(connection.getInputStream()));
                connection.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                connection.getOutputStream().flush();
                if (!closeAfter) {
                    // hold the connection open until the client goes away
                    connection.getInputStream().read();
                }
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                bytes.write(b);
            }
            String head = bytes.toString(StandardCharsets.ISO_8859_1);
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    bytes.write(in.readNBytes(Integer.parseInt(line.substring(15).trim())));
                }
            }
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
