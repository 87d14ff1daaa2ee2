package io.fipsrelay.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The max-body cap of chunked bodies: the sum of the chunk sizes, judged at each size line. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChunkedBodyTest {

    @Test
    void chunks_adding_up_to_the_limit_pass() throws Exception {
        BodyFramer body = BodyFramer.chunked(400, 10, 413);
        body.consume(bytes("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n"));
        assertThat(body.complete()).isTrue();
    }

    @Test
    void the_chunk_that_takes_the_sum_over_the_limit_is_refused_at_its_size_line() {
        BodyFramer body = BodyFramer.chunked(400, 10, 413);
        ByteBuffer in = bytes("4\r\nabcd\r\n7\r\nefghijk\r\n0\r\n\r\n");
        assertThatThrownBy(() -> body.consume(in)).isInstanceOf(HttpParseException.class)
                .satisfies(e -> assertThat(((HttpParseException) e).status()).isEqualTo(413));
        // Refused before any byte of the chunk's data was consumed.
        assertThat(in.position()).isEqualTo("4\r\nabcd\r\n7\r\n".length());
    }

    @Test
    void check_ahead_leaves_the_received_bytes_untouched() throws Exception {
        ByteBuffer received = bytes("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n");
        BodyFramer.checkAhead(BodyFramer.chunked(400), java.util.List.of(received));
        assertThat(received.position()).isZero();
        assertThatThrownBy(() -> BodyFramer.checkAhead(BodyFramer.chunked(400), java.util.List.of(bytes("5\r\nhelloX"))))
                .isInstanceOf(HttpParseException.class);
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
