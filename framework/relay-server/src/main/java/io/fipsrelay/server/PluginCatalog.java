package io.fipsrelay.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.ProductModule;
import io.fipsrelay.server.status.PluginEvent;
import io.fipsrelay.server.status.PluginEvents;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product plugins found in a folder, loaded by PF4J one jar at a time so that a broken or
 * clashing jar is refused with its reason while the others load.
 */
public final class PluginCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginCatalog.class);

    /**
     * One loaded plugin: its products and the defaults its reference.conf documents; its version
     * (manifest), the SHA-256 of the jar as loaded, when and how it was loaded (the status page's facts).
     *
     * @param loadedBy {@code start} (in the folder at start) or {@code hot-plug}
     */
    public record LoadedPlugin(String pluginId, Path jar, List<Product> products, Config reference, String version,
                               String jarSha256, long loadedAtMillis, String loadedBy) {
    }

    /** A jar that was not loaded, and why. */
    public record RefusedPlugin(Path jar, String reason, long atMillis) {
    }

    private final Path dir;
    /** When the operator names trusted signers: only jars they signed load. */
    private final Optional<PluginSigners> signers;
    private final PluginManager manager;
    private final Map<String, LoadedPlugin> loaded = new HashMap<>();
    private final List<RefusedPlugin> refused = new ArrayList<>();
    private final PluginEvents events = new PluginEvents();
    /** Set once the folder's jars at start are loaded: later loads are hot plugs. */
    private boolean started;

    private PluginCatalog(Path dir, Optional<PluginSigners> signers) {
        this.dir = dir;
        this.signers = signers;
        this.manager = new DefaultPluginManager(List.of(dir));
    }

    /** Loads every plugin jar in the folder. */
    public static PluginCatalog load(Path dir) throws IOException {
        requireFolder(dir);
        return load(dir, PluginFolderScanner.snapshot(dir).keySet(), Optional.empty());
    }

    /**
     * Loads these jars of the folder, sorted by name so that clashes resolve the same way every time;
     * with signers, a jar they did not sign (or that was altered since) is refused.
     */
    static PluginCatalog load(Path dir, Collection<Path> jars, Optional<PluginSigners> signers) throws IOException {
        requireFolder(dir);
        PluginCatalog catalog = new PluginCatalog(dir, signers);
        jars.stream().sorted().forEach(catalog::loadJar);
        synchronized (catalog) {
            catalog.started = true;
        }
        return catalog;
    }

    private static void requireFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("plugins folder " + dir + " does not exist");
        }
    }

    /** Loads one jar; returns the plugin, or null when it was refused (the reason is logged and kept). */
    public synchronized LoadedPlugin loadJar(Path jar) {
        forget(jar);
        if (signers.isPresent()) {
            String refusal = signers.get().refusal(jar);
            if (refusal != null) {
                return refuse(jar, "signature check: " + refusal, null);
            }
        }
        String declaredId;
        try {
            declaredId = declaredPluginId(jar);
        } catch (NotAPluginJar e) {
            return refuse(jar, e.getMessage(), null);
        }
        LoadedPlugin twin = loaded.get(declaredId);
        if (twin != null) {
            return refuse(jar, "plugin id " + declaredId + " is already loaded from " + twin.jar().getFileName(), null);
        }
        String pluginId = null;
        try {
            pluginId = manager.loadPlugin(jar);
            if (pluginId == null) {
                return refuse(jar, "not a PF4J plugin (no Plugin-Id in its manifest?)", null);
            }
            PluginState state = manager.startPlugin(pluginId);
            PluginWrapper wrapper = manager.getPlugin(pluginId);
            if (state != PluginState.STARTED) {
                return refuse(jar, "plugin " + pluginId + " did not start (" + state + ")"
                        + (wrapper.getFailedException() != null ? ": " + wrapper.getFailedException() : ""), pluginId);
            }
            List<ProductModule> modules = manager.getExtensions(ProductModule.class, pluginId);
            if (modules.isEmpty()) {
                return refuse(jar, "plugin " + pluginId + " has no ProductModule extension (is META-INF/extensions.idx in the jar?)", pluginId);
            }
            List<Product> products = new ArrayList<>();
            for (ProductModule m : modules) {
                products.addAll(m.products());
            }
            String clash = clash(products);
            if (clash != null) {
                return refuse(jar, clash, pluginId);
            }
            Config reference = ownReferenceConf(wrapper.getPluginClassLoader());
            LoadedPlugin plugin = new LoadedPlugin(pluginId, jar, List.copyOf(products), reference,
                    wrapper.getDescriptor().getVersion(), JarDigest.sha256(jar), System.currentTimeMillis(),
                    started ? "hot-plug" : "start");
            loaded.put(pluginId, plugin);
            LOG.info("plugin {} loaded from {}: {}", pluginId, jar.getFileName(),
                    products.stream().map(Product::id).toList());
            return plugin;
        } catch (Exception | LinkageError e) {
            // PF4J's messages go on with advice over several lines; the first says what is wrong.
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
            return refuse(jar, message, pluginId);
        }
    }

    /**
     * The Plugin-Id a jar's manifest declares. Read before PF4J sees the file because PF4J answers
     * a file that is no jar with "No PluginDescriptorFinder" after logging a stack trace, and a
     * second plugin with a loaded id with a paragraph; an operator needs one plain reason.
     */
    private static String declaredPluginId(Path jar) throws NotAPluginJar {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                throw new NotAPluginJar("no META-INF/MANIFEST.MF: not a PF4J plugin jar");
            }
            for (String attribute : List.of("Plugin-Id", "Plugin-Version")) {
                String value = manifest.getMainAttributes().getValue(attribute);
                if (value == null || value.isBlank()) {
                    throw new NotAPluginJar("no " + attribute + " in its manifest: not a PF4J plugin jar");
                }
            }
            return manifest.getMainAttributes().getValue("Plugin-Id").trim();
        } catch (ZipException e) {
            throw new NotAPluginJar("not a jar file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new NotAPluginJar("cannot read it: " + e);
        }
    }

    private static final class NotAPluginJar extends Exception {
        NotAPluginJar(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Unloads a plugin (its listeners must have been stopped first). */
    public synchronized void unload(String pluginId) {
        if (loaded.remove(pluginId) != null) {
            manager.unloadPlugin(pluginId);
        }
    }

    /** Refuses a plugin that loaded but that the running relay cannot take (settings, port): unloads it. */
    public synchronized void refuse(LoadedPlugin plugin, String reason) {
        loaded.remove(plugin.pluginId());
        refuse(plugin.jar(), reason, plugin.pluginId());
    }

    /** The plugin loaded from this jar, if any. */
    public synchronized Optional<LoadedPlugin> pluginAt(Path jar) {
        return loaded.values().stream().filter(p -> p.jar().equals(jar)).findFirst();
    }

    /** Drops what is remembered about a refused jar (it was removed or is being loaded again). */
    public synchronized void forget(Path jar) {
        refused.removeIf(r -> r.jar().equals(jar));
    }

    private String clash(List<Product> products) {
        Map<String, String> ids = new HashMap<>();
        Map<Integer, String> offsets = new HashMap<>();
        for (LoadedPlugin p : loaded.values()) {
            for (Product product : p.products()) {
                ids.put(product.id(), p.pluginId());
                offsets.put(product.portOffset(), p.pluginId() + "/" + product.id());
            }
        }
        for (Product product : products) {
            if (ids.containsKey(product.id())) {
                return "product id " + product.id() + " is already served by plugin " + ids.get(product.id());
            }
            if (offsets.containsKey(product.portOffset())) {
                return "port offset " + product.portOffset() + " of product " + product.id() + " is already taken by "
                        + offsets.get(product.portOffset());
            }
            ids.put(product.id(), "this plugin");
            offsets.put(product.portOffset(), product.id());
        }
        return null;
    }

    private LoadedPlugin refuse(Path jar, String reason, String pluginId) {
        LOG.error("plugin jar {} refused: {}", jar, reason);
        long now = System.currentTimeMillis();
        refused.add(new RefusedPlugin(jar, reason, now));
        events.add(PluginEvent.refused(now, pluginId, jar.getFileName().toString(), reason));
        if (pluginId != null) {
            try {
                manager.unloadPlugin(pluginId);
            } catch (RuntimeException ignored) {
                // Already half-loaded: nothing more to release.
            }
        }
        return null;
    }

    /** The plugin's own reference.conf, not one inherited from the relay's class path. */
    private static Config ownReferenceConf(ClassLoader loader) throws IOException {
        URL url = loader instanceof URLClassLoader u ? u.findResource("reference.conf") : null;
        if (url == null) {
            return ConfigFactory.empty();
        }
        return ConfigFactory.parseURL(url);
    }

    public synchronized List<LoadedPlugin> plugins() {
        return loaded.values().stream().sorted(java.util.Comparator.comparing(LoadedPlugin::pluginId)).toList();
    }

    public synchronized List<RefusedPlugin> refused() {
        return List.copyOf(refused);
    }

    /** What happened to plugins since start: refusals recorded here, hot plugs and removals by {@link HotPlug}. */
    public PluginEvents events() {
        return events;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }
}
