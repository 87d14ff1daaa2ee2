package io.fipsrelay.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts what an intake did with each request, for "delivered exactly once, nothing lost, nothing
 * duplicated" checks: deliveries per request id ({@link RecordedRequest#REQUEST_ID_HEADER}) and
 * answers per status. Thread-safe; snapshots are sorted copies.
 */
final class DeliveryLedger {

    private final Map<String, Integer> deliveries = new TreeMap<>();
    private final Map<String, List<Integer>> answers = new TreeMap<>();
    private final Map<Integer, Integer> byStatus = new TreeMap<>();

    /** A request was recorded (its whole body arrived). Requests without an id are not counted per id. */
    synchronized void delivered(RecordedRequest request) {
        String id = request.requestId();
        if (id != null) {
            deliveries.merge(id, 1, Integer::sum);
            answers.computeIfAbsent(id, key -> new ArrayList<>());
        }
    }

    /** A response to a recorded request is being sent. */
    synchronized void answered(RecordedRequest request, int status) {
        byStatus.merge(status, 1, Integer::sum);
        String id = request.requestId();
        if (id != null) {
            answers.computeIfAbsent(id, key -> new ArrayList<>()).add(status);
        }
    }

    synchronized Map<String, Integer> deliveriesById() {
        return Collections.unmodifiableMap(new TreeMap<>(deliveries));
    }

    synchronized Map<String, List<Integer>> answersById() {
        Map<String, List<Integer>> copy = new TreeMap<>();
        answers.forEach((id, statuses) -> copy.put(id, List.copyOf(statuses)));
        return Collections.unmodifiableMap(copy);
    }

    synchronized Map<Integer, Integer> answeredByStatus() {
        return Collections.unmodifiableMap(new TreeMap<>(byStatus));
    }

    synchronized void clear() {
        deliveries.clear();
        answers.clear();
        byStatus.clear();
    }
}
