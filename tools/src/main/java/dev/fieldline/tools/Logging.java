package dev.fieldline.tools;

/**
 * Logging for the CLI (slf4j-simple). Must run before the first logger is created: INFO for
 * lifecycle, libraries' chatter at WARN; {@code --verbose} turns on DEBUG for Fieldline.
 */
final class Logging {
    private Logging() {
    }

    static void configure(boolean verbose) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
        for (String noisy : new String[] {"org.eclipse.jetty", "io.javalin", "org.eclipse.californium", "io.netty",
                "org.eclipse.paho", "org.sqlite"}) {
            setDefault("org.slf4j.simpleLogger.log." + noisy, "warn");
        }
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.fieldline", "debug");
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
