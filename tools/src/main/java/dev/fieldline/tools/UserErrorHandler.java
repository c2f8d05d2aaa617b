package dev.fieldline.tools;

import picocli.CommandLine;

/**
 * Turns exceptions from a command into a one-paragraph message on stderr and exit code 2 for errors
 * the user can fix (ports in use, bad configuration), with the stack trace only under --verbose.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        boolean verbose = parseResult.hasMatchedOption("--verbose") || parseResult.hasMatchedOption("-v");
        Throwable shown = ex;
        cmd.getErr().println(cmd.getColorScheme().errorText("fieldline " + cmd.getCommandName() + ": " + message(shown)));
        if (verbose) {
            ex.printStackTrace(cmd.getErr());
        } else {
            cmd.getErr().println("(run with --verbose for details)");
        }
        return 2;
    }

    private static String message(Throwable t) {
        StringBuilder b = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
                b.append(": ").append(c.getMessage());
            }
        }
        return b.toString();
    }
}
