package lanes.engine;

import jdk.jfr.FlightRecorder;

/**
 * Whether JFR runs in this JVM. Lanes touches its event classes only when it does: loading a JFR event
 * class makes JFR instrument it, which costs a command-line tool about 0.1 s of start-up for events
 * nobody records. Code on the hot paths calls {@link #active()} (a static field read) and keeps every
 * event type out of its own bytecode, so that not even the verifier loads them.
 *
 * <p>A runtime without the {@code jdk.jfr} module (a jlinked image, {@code --limit-modules}) runs the
 * engine all the same, with no events: the module is probed once, and never touched again if missing.
 */
public final class JfrSupport {
    private JfrSupport() {}

    private static final boolean PRESENT = probe();

    private static boolean probe() {
        try {
            FlightRecorder.isInitialized();
            return true;
        } catch (LinkageError e) { // NoClassDefFoundError: jdk.jfr is not in this runtime
            return false;
        }
    }

    /** True once a flight recording has been started in this JVM (at launch or attached later). */
    public static boolean active() {
        return PRESENT && FlightRecorder.isInitialized();
    }
}
