package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * A PF4J plugin jar compiled at test time from Java sources that are not part of the build, the
 * way a third party would make one: javac against the given class path only (the relay-api and
 * pf4j jars), PF4J's annotation processor writing {@code META-INF/extensions.idx}, and a manifest
 * with {@code Plugin-Id} and {@code Plugin-Version}.
 */
public final class PluginJarBuilder {

    /** PF4J's processor, named so it runs even on JDKs that no longer discover processors by default. */
    private static final String PF4J_PROCESSOR = "org.pf4j.processor.ExtensionAnnotationProcessor";

    private final String pluginId;
    private String version = "1.0.0";
    private final List<Path> classpath = new ArrayList<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();

    private PluginJarBuilder(String pluginId) {
        this.pluginId = Objects.requireNonNull(pluginId, "pluginId");
    }

    /** A plugin with this {@code Plugin-Id}. */
    public static PluginJarBuilder plugin(String pluginId) {
        return new PluginJarBuilder(pluginId);
    }

    public PluginJarBuilder version(String pluginVersion) {
        this.version = pluginVersion;
        return this;
    }

    /** Jars or class folders to compile against (and where PF4J's annotation processor is found). */
    public PluginJarBuilder classpath(Path... entries) {
        classpath.addAll(List.of(entries));
        return this;
    }

    /** One compilation unit, by its fully qualified class name. */
    public PluginJarBuilder source(String className, String javaSource) {
        sources.put(className, javaSource);
        return this;
    }

    /** Every *.java file below {@code sourceRoot} (a src/main/java folder). */
    public PluginJarBuilder sourcesFrom(Path sourceRoot) {
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String relative = sourceRoot.relativize(file).toString().replace('\\', '/');
                sources.put(relative.substring(0, relative.length() - ".java".length()).replace('/', '.'), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sources below " + sourceRoot, e);
        }
        return this;
    }

    /** A file in the jar, e.g. "reference.conf". */
    public PluginJarBuilder resource(String path, String text) {
        resources.put(path, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Every file below {@code resourceRoot} (a src/main/resources folder). */
    public PluginJarBuilder resourcesFrom(Path resourceRoot) {
        try (Stream<Path> files = Files.walk(resourceRoot)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                resources.put(resourceRoot.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resources below " + resourceRoot, e);
        }
        return this;
    }

    /** Compiles and writes the jar; fails with javac's messages if the sources do not compile. */
    public Path build(Path jar) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: tests must run on a JDK");
        }
        try {
            Path classes = Files.createTempDirectory("plugin-" + pluginId + "-classes");
            try {
                compile(javac, classes);
                writeJar(classes, jar);
            } finally {
                deleteTree(classes);
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build plugin jar " + jar, e);
        }
    }

    private void compile(JavaCompiler javac, Path classes) throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
            files.setLocationFromPaths(StandardLocation.CLASS_PATH, classpath);
            files.setLocationFromPaths(StandardLocation.ANNOTATION_PROCESSOR_PATH, classpath);
            List<JavaFileObject> units = sources.entrySet().stream()
                    .map(e -> (JavaFileObject) new SourceText(e.getKey(), e.getValue())).toList();
            List<String> options = List.of("--release", "17", "-processor", PF4J_PROCESSOR, "-Xlint:none");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, units).call();
            if (!ok) {
                throw new IllegalStateException("plugin " + pluginId + " does not compile:\n" + diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                        .collect(Collectors.joining("\n")));
            }
        }
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Plugin-Id", pluginId);
        main.putValue("Plugin-Version", version);
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> compiled = Files.walk(classes)) {
            for (Path f : compiled.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            for (Map.Entry<String, byte[]> r : resources.entrySet()) {
                out.putNextEntry(new JarEntry(r.getKey()));
                out.write(r.getValue());
                out.closeEntry();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Java source held in memory. */
    private static final class SourceText extends SimpleJavaFileObject {
        private final String text;

        SourceText(String className, String text) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
