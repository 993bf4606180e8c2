package dev.rootline.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's command line: {@code run [--config FILE]}. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("run")) {
      System.err.println("usage: Main run [--config FILE]");
      System.exit(2);
    }
    Config config;
    try {
      config = loadConfig(args);
    } catch (RuntimeException e) {
      System.err.println("rootline: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    RootlineNode node;
    try {
      node = RootlineNode.start(config);
    } catch (Exception e) {
      log.error("the node could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "rootline-shutdown"));
    node.whenTerminated().toCompletableFuture().join();
    if (!node.isClosing()) {
      // The actor system ended on its own (e.g. this node was downed): exit, the hook cleans up.
      log.warn("the actor system terminated; the node exits");
      System.exit(1);
    }
  }

  static Config loadConfig(String[] args) {
    Config overrides = ConfigFactory.empty();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        File file = new File(args[++i]);
        if (!file.isFile()) {
          throw new IllegalArgumentException("no such config file: " + file);
        }
        overrides = ConfigFactory.parseFile(file).withFallback(overrides);
      } else {
        throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    return ConfigFactory.systemProperties()
        .withFallback(overrides)
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
