package dev.rootline.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cassandra.yaml and logback.xml the local Cassandra runs with, rendered from templates on the
 * classpath ({@code {{key}}} placeholders) into {@code <data-dir>/conf}.
 */
public final class CassandraConfFiles {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
  private static final String YAML_TEMPLATE = "cassandra.yaml.template";
  private static final String LOGBACK_TEMPLATE = "logback.xml.template";

  private CassandraConfFiles() {}

  /** cassandra.yaml for these settings; directories are absolute. */
  public static String cassandraYaml(CassandraLauncherSettings settings) {
    Path data = settings.dataDir().toAbsolutePath().normalize();
    return render(
        template(YAML_TEMPLATE),
        Map.of(
            "cluster_name", yamlSingleQuoted(settings.clusterName()),
            "listen_address", settings.listenAddress(),
            "rpc_address", settings.rpcAddress(),
            "storage_port", Integer.toString(settings.storagePort()),
            "native_port", Integer.toString(settings.nativePort()),
            "data_dir", yamlSingleQuoted(data.toString())));
  }

  /** logback.xml: INFO to {@code <data-dir>/logs/system.log}, nothing to the console. */
  public static String logbackXml(CassandraLauncherSettings settings) {
    Path logs = settings.logDir().toAbsolutePath().normalize();
    return render(template(LOGBACK_TEMPLATE), Map.of("log_dir", xmlEscaped(logs.toString())));
  }

  /** Writes both files into {@code <data-dir>/conf} and creates the log directory. */
  public static void write(CassandraLauncherSettings settings) {
    try {
      Files.createDirectories(settings.confDir());
      Files.createDirectories(settings.logDir());
      Files.writeString(yamlPath(settings), cassandraYaml(settings));
      Files.writeString(logbackPath(settings), logbackXml(settings));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Cassandra config into " + settings.confDir(), e);
    }
  }

  public static Path yamlPath(CassandraLauncherSettings settings) {
    return settings.confDir().resolve("cassandra.yaml");
  }

  public static Path logbackPath(CassandraLauncherSettings settings) {
    return settings.confDir().resolve("logback.xml");
  }

  /** Replaces every {@code {{key}}}; a placeholder without a value is a bug in the template. */
  static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("no value for placeholder {{" + m.group(1) + "}}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String template(String name) {
    try (InputStream in = CassandraConfFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("template resource missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The templates put these inside '...': a quote is doubled in YAML single-quoted scalars. */
  private static String yamlSingleQuoted(String s) {
    return s.replace("'", "''");
  }

  private static String xmlEscaped(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
