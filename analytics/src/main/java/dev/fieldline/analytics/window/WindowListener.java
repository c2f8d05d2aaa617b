package dev.fieldline.analytics.window;

/** Receives each window as it closes, on the thread that fed the sample which closed it. */
@FunctionalInterface
public interface WindowListener {
    void windowClosed(WindowResult result);
}
