package io.fipsrelay.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One Chrome DevTools protocol session: commands answered by id, events kept for the test to read. */
final class DevToolsSession implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket socket;

    private DevToolsSession() {
    }

    static DevToolsSession connect(HttpClient http, URI uri) {
        DevToolsSession session = new DevToolsSession();
        session.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, session.new Receiver()).join();
        return session;
    }

    /** Sends a command and waits for its result; a protocol error fails the test with Chromium's message. */
    JsonNode send(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(message.toString(), true).join();
        JsonNode reply;
        try {
            reply = answer.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no DevTools answer to " + method, e);
        }
        if (reply.has("error")) {
            throw new AssertionError("DevTools " + method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    JsonNode send(String method) {
        return send(method, Map.of());
    }

    /** Evaluates a JavaScript expression in the page and returns its JSON value. */
    JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page script failed: " + result.get("exceptionDetails"));
        }
        return result.get("result").get("value");
    }

    /** Every event received so far with this method name, its params. */
    List<JsonNode> events(String method) {
        return events.stream().filter(e -> method.equals(e.get("method").asText())).map(e -> e.get("params")).toList();
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    private final class Receiver implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                        if (f != null) {
                            f.complete(message);
                        }
                    } else {
                        events.add(message);
                    }
                } catch (Exception e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
