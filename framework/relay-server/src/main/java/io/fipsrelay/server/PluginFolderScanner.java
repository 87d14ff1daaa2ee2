package io.fipsrelay.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices plugin jars arriving in, leaving and being replaced in the plugins folder, by looking at
 * the folder at a fixed interval.
 *
 * <p>A poll rather than {@code java.nio.file.WatchService}: the folder holds a dozen files, so a
 * look costs one directory read and a stat per jar; a poll behaves the same on every file system
 * the folder may live on (inotify misses changes on NFS and on some bind and overlay mounts;
 * the JDK's macOS watch service is itself a 10 s poll), and it needs no handling of event
 * overflow or of the watched folder being replaced. Events would not spare the settling below
 * either: a jar being copied fires events long before it is complete.
 *
 * <p>A new or changed jar is reported only once two looks in a row saw the same size, time and
 * file key (inode), so a jar still being written is never loaded half-written. A removal is
 * reported at the first look that misses the jar.
 */
final class PluginFolderScanner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginFolderScanner.class);

    /** What the scanner reports, always from its one thread, removals before additions. */
    interface Changes {
        void added(Path jar);

        void removed(Path jar);
    }

    /** What tells one version of a jar file from another. */
    record JarStamp(long size, FileTime modified, Object fileKey) {
    }

    private final Path dir;
    private final Changes changes;
    /** Jars as last reported (or found at start). */
    private final Map<Path, JarStamp> applied;
    /** Jars seen new or changed at the last look, waiting for a second identical look. */
    private final Map<Path, JarStamp> settling = new HashMap<>();
    private ScheduledExecutorService thread;
    private boolean folderUnreadable;

    PluginFolderScanner(Path dir, Map<Path, JarStamp> alreadyLoaded, Changes changes) {
        this.dir = dir;
        this.applied = new HashMap<>(alreadyLoaded);
        this.changes = changes;
    }

    /** The plugin jars in the folder now: regular *.jar files, hidden ones left out. */
    static Map<Path, JarStamp> snapshot(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("plugins folder " + dir + " does not exist");
        }
        Map<Path, JarStamp> jars = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(PluginFolderScanner::isPluginJarName).toList()) {
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        jars.put(file, new JarStamp(a.size(), a.lastModifiedTime(), a.fileKey()));
                    }
                } catch (IOException e) {
                    // Gone between the listing and the stat: it is simply not there.
                }
            }
        }
        return jars;
    }

    static boolean isPluginJarName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jar") && !name.startsWith(".");
    }

    /** Starts looking every {@code interval} on a daemon thread. */
    PluginFolderScanner start(Duration interval) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fips-relay-plugin-scan");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        thread.scheduleWithFixedDelay(this::scanSafely, ms, ms, TimeUnit.MILLISECONDS);
        LOG.info("watching {} for plugin jars every {} ms", dir, ms);
        return this;
    }

    private void scanSafely() {
        try {
            scanOnce();
        } catch (RuntimeException | LinkageError e) {
            // A failure must not end the scheduled task: the next look tries again.
            LOG.error("plugin folder scan failed", e);
        }
    }

    /** One look at the folder, reporting what settled since the last one. */
    synchronized void scanOnce() {
        Map<Path, JarStamp> now;
        try {
            now = snapshot(dir);
        } catch (IOException e) {
            // A folder that cannot be read (unmounted, being replaced) is not a folder without
            // plugins: unloading everything on a transient error would cut every product.
            if (!folderUnreadable) {
                LOG.warn("cannot read plugins folder {} ({}); plugins stay as they are until it can be read", dir, e.toString());
                folderUnreadable = true;
            }
            return;
        }
        if (folderUnreadable) {
            LOG.info("plugins folder {} readable again", dir);
            folderUnreadable = false;
        }
        List<Path> removed = new ArrayList<>();
        for (Path jar : List.copyOf(applied.keySet())) {
            if (!now.containsKey(jar)) {
                applied.remove(jar);
                removed.add(jar);
            }
        }
        settling.keySet().retainAll(now.keySet());
        List<Path> replaced = new ArrayList<>();
        List<Path> added = new ArrayList<>();
        for (Map.Entry<Path, JarStamp> e : now.entrySet()) {
            Path jar = e.getKey();
            JarStamp stamp = e.getValue();
            if (stamp.equals(applied.get(jar))) {
                settling.remove(jar);
                continue;
            }
            if (!Objects.equals(settling.put(jar, stamp), stamp)) {
                continue; // new or still changing: look again next time
            }
            settling.remove(jar);
            (applied.put(jar, stamp) == null ? added : replaced).add(jar);
        }
        removed.sort(null);
        replaced.sort(null);
        added.sort(null);
        removed.forEach(this::reportRemoved);
        for (Path jar : replaced) {
            reportRemoved(jar);
            reportAdded(jar);
        }
        added.forEach(this::reportAdded);
    }

    private void reportRemoved(Path jar) {
        try {
            changes.removed(jar);
        } catch (RuntimeException e) {
            LOG.error("removing plugin jar {} failed", jar, e);
        }
    }

    private void reportAdded(Path jar) {
        try {
            changes.added(jar);
        } catch (RuntimeException e) {
            LOG.error("adding plugin jar {} failed", jar, e);
        }
    }

    /** Stops looking; a look in progress finishes first. */
    @Override
    public void close() {
        if (thread != null) {
            // No interrupt: a look may be binding or unbinding a listener, which must complete.
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
