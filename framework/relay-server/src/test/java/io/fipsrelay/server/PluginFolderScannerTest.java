package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the scanner reports, one look at a time (no clock involved). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PluginFolderScannerTest {

    @TempDir
    Path dir;
    final List<String> events = new ArrayList<>();
    final PluginFolderScanner.Changes recorder = new PluginFolderScanner.Changes() {
        @Override
        public void added(Path jar) {
            events.add("added " + jar.getFileName());
        }

        @Override
        public void removed(Path jar) {
            events.add("removed " + jar.getFileName());
        }
    };
    PluginFolderScanner scanner;

    @BeforeEach
    void startWithOneJar() throws IOException {
        write("present.jar", "v1");
        scanner = new PluginFolderScanner(dir, PluginFolderScanner.snapshot(dir), recorder);
    }

    @Test
    void jars_present_at_start_are_not_reported_again() {
        scanner.scanOnce();
        scanner.scanOnce();
        assertThat(events).isEmpty();
    }

    @Test
    void a_new_jar_is_reported_once_two_looks_in_a_row_saw_it_unchanged() throws IOException {
        write("new.jar", "part");
        scanner.scanOnce();
        assertThat(events).as("first look: maybe still being copied").isEmpty();
        scanner.scanOnce();
        assertThat(events).containsExactly("added new.jar");
        scanner.scanOnce();
        assertThat(events).containsExactly("added new.jar");
    }

    @Test
    void a_jar_still_growing_is_not_reported_until_it_stops_changing() throws IOException {
        write("slow.jar", "a");
        scanner.scanOnce();
        append("slow.jar", "bb");
        scanner.scanOnce();
        append("slow.jar", "ccc");
        scanner.scanOnce();
        assertThat(events).isEmpty();
        scanner.scanOnce();
        assertThat(events).containsExactly("added slow.jar");
    }

    @Test
    void a_removed_jar_is_reported_at_the_first_look_that_misses_it() throws IOException {
        Files.delete(dir.resolve("present.jar"));
        scanner.scanOnce();
        assertThat(events).containsExactly("removed present.jar");
    }

    @Test
    void a_jar_replaced_by_a_rename_is_reported_as_removed_then_added_once_settled() throws IOException {
        Path staged = write("present.jar.tmp", "version 2");
        Files.move(staged, dir.resolve("present.jar"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        scanner.scanOnce();
        assertThat(events).isEmpty();
        scanner.scanOnce();
        assertThat(events).containsExactly("removed present.jar", "added present.jar");
    }

    @Test
    void a_jar_rewritten_in_place_with_the_same_size_is_noticed_by_its_time() throws IOException {
        Path jar = dir.resolve("present.jar");
        Files.writeString(jar, "v2");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        scanner.scanOnce();
        scanner.scanOnce();
        assertThat(events).containsExactly("removed present.jar", "added present.jar");
    }

    @Test
    void hidden_files_folders_and_other_names_are_not_plugins() throws IOException {
        write(".partial.jar", "x");
        write("notes.txt", "x");
        write("next.jar.tmp", "x");
        Files.createDirectory(dir.resolve("folder.jar"));
        scanner.scanOnce();
        scanner.scanOnce();
        assertThat(events).isEmpty();
        assertThat(PluginFolderScanner.snapshot(dir)).containsOnlyKeys(dir.resolve("present.jar"));
    }

    @Test
    void an_unreadable_folder_unloads_nothing_and_a_jar_removed_meanwhile_is_reported_when_it_is_back() throws IOException {
        Path moved = dir.resolveSibling(dir.getFileName() + "-away");
        Files.move(dir, moved);
        scanner.scanOnce();
        scanner.scanOnce();
        assertThat(events).as("the folder is gone, not empty").isEmpty();
        Files.delete(moved.resolve("present.jar"));
        Files.move(moved, dir);
        scanner.scanOnce();
        assertThat(events).containsExactly("removed present.jar");
    }

    @Test
    void a_listener_failure_does_not_stop_later_reports() throws IOException {
        List<String> seen = new ArrayList<>();
        PluginFolderScanner failing = new PluginFolderScanner(dir, Map.of(), new PluginFolderScanner.Changes() {
            @Override
            public void added(Path jar) {
                seen.add(jar.getFileName().toString());
                throw new IllegalStateException("boom");
            }

            @Override
            public void removed(Path jar) {
            }
        });
        write("second.jar", "x");
        failing.scanOnce();
        failing.scanOnce();
        assertThat(seen).containsExactly("present.jar", "second.jar");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private void append(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, StandardOpenOption.APPEND);
    }
}
