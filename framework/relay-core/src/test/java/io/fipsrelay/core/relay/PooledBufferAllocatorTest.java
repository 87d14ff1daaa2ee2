package io.fipsrelay.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay's buffer pool: what is reused, what never is, and what a freed buffer refuses. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PooledBufferAllocatorTest {

    private final PooledBufferAllocator pool = new PooledBufferAllocator(16, 1024 * 1024);

    @Test
    void a_freed_buffer_is_handed_out_again_on_the_same_thread_in_its_size_class() {
        IoBuffer first = pool.allocate(40_000, false);
        byte[] array = first.array();
        assertThat(first.limit()).isEqualTo(40_000);
        assertThat(first.capacity()).isEqualTo(64 * 1024);
        first.free();
        IoBuffer second = pool.allocate(50_000, false);
        assertThat(second.array()).isSameAs(array);
        assertThat(second.position()).isZero();
        assertThat(second.limit()).isEqualTo(50_000);
    }

    @Test
    void a_freed_buffer_refuses_further_use() {
        IoBuffer b = pool.allocate(1000, false);
        b.free();
        assertThatThrownBy(b::buf).isInstanceOf(IllegalStateException.class).hasMessageContaining("freed");
    }

    @Test
    void wrapped_arrays_belong_to_their_creator_and_are_never_pooled() {
        ByteBuffer mine = ByteBuffer.allocate(64 * 1024);
        IoBuffer wrapped = pool.wrap(mine);
        wrapped.free();
        assertThat(wrapped.buf()).isSameAs(mine);
        assertThat(pool.allocate(64 * 1024, false).array()).isNotSameAs(mine.array());
    }

    @Test
    void slices_and_duplicates_never_return_the_array_to_the_pool() {
        IoBuffer b = pool.allocate(4096, false);
        byte[] array = b.array();
        b.duplicate().free();
        b.slice().free();
        assertThat(pool.allocate(4096, false).array()).isNotSameAs(array);
    }

    @Test
    void another_thread_has_a_pool_of_its_own() throws Exception {
        IoBuffer b = pool.allocate(8192, false);
        byte[] array = b.array();
        b.free();
        byte[][] seen = new byte[1][];
        Thread other = new Thread(() -> seen[0] = pool.allocate(8192, false).array());
        other.start();
        other.join();
        assertThat(seen[0]).isNotSameAs(array);
    }

    @Test
    void a_thread_keeps_no_more_than_its_byte_budget() {
        PooledBufferAllocator small = new PooledBufferAllocator(16, 128 * 1024);
        IoBuffer a = small.allocate(64 * 1024, false);
        IoBuffer b = small.allocate(64 * 1024, false);
        IoBuffer c = small.allocate(64 * 1024, false);
        byte[] first = a.array();
        byte[] second = b.array();
        byte[] third = c.array();
        a.free();
        b.free();
        c.free(); // over the 128 KiB budget: dropped
        assertThat(small.allocate(64 * 1024, false).array()).isSameAs(second);
        assertThat(small.allocate(64 * 1024, false).array()).isSameAs(first);
        assertThat(small.allocate(64 * 1024, false).array()).isNotSameAs(third);
    }

    @Test
    void requests_above_the_largest_class_are_plain_allocations() {
        IoBuffer big = pool.allocate(512 * 1024, false);
        byte[] array = big.array();
        big.free();
        assertThat(pool.allocate(512 * 1024, false).array()).isNotSameAs(array);
    }
}
