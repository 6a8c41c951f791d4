package lanes.kernels;

import java.lang.invoke.MethodHandles;
import java.util.Optional;

/**
 * Chooses the {@link Kernels} implementation once per JVM.
 *
 * <p>The Vector API implementation is used when the {@code jdk.incubator.vector} module is in the boot
 * layer (the JVM was started with {@code --add-modules jdk.incubator.vector}), {@code -Dlanes.simd} is
 * not {@code false}, and the machine has vectors of at least 128 bits. It is loaded by name, so the
 * scalar path never loads a Vector API class. The choice is logged at {@code DEBUG} (java.util.logging's
 * {@code FINE}) on the {@code lanes.kernels} logger; only a fallback to the scalar kernels that the user did
 * not ask for is a {@code WARNING}, one line, naming the flag or the reason. Nothing here may touch the
 * Vector API directly: this class is initialised on both paths.
 */
public final class KernelsProvider {

    /** The exact flag users must add; named in the fallback warning. */
    public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

    private static final System.Logger LOG = System.getLogger("lanes.kernels");

    private KernelsProvider() {}

    /** The implementation chosen for this JVM. */
    public static Kernels get() {
        return Holder.INSTANCE;
    }

    /** The scalar implementation, always available (tests and benchmarks compare against it). */
    public static Kernels scalar() {
        return Holder.SCALAR;
    }

    /** The Vector API implementation if this JVM can run it, whatever {@code -Dlanes.simd} says. */
    public static Optional<Kernels> vector() {
        return Optional.ofNullable(Holder.VECTOR);
    }

    // Holder idiom: initialised on first use, once, without locks on the hot path and without the
    // class-loading deadlock a static initialiser calling into other classes can cause.
    private static final class Holder {
        static final Kernels SCALAR = new CheckedKernels(ScalarKernels.INSTANCE);
        static final Kernels VECTOR = loadVector();
        static final Kernels INSTANCE = choose();

        private static Kernels loadVector() {
            Optional<Module> vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector");
            if (vectorModule.isEmpty()) return null;
            // Unnamed-module code can read every module, but say it explicitly for named-module embedders.
            KernelsProvider.class.getModule().addReads(vectorModule.get());
            try {
                Class<?> cls = Class.forName("lanes.kernels.VectorKernels", true, KernelsProvider.class.getClassLoader());
                Kernels k = new CheckedKernels((Arithmetic) MethodHandles.lookup().findStaticGetter(cls, "INSTANCE", cls).invoke());
                if (k.vectorBits() < 128) {
                    LOG.log(System.Logger.Level.WARNING, "Lanes: vectors here are only " + k.vectorBits()
                            + " bits wide; using the scalar kernels");
                    return null;
                }
                return k;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "Lanes: the Vector API kernels failed to load (" + t
                        + "); using the scalar kernels");
                return null;
            }
        }

        private static Kernels choose() {
            if (!Boolean.parseBoolean(System.getProperty("lanes.simd", "true"))) {
                LOG.log(System.Logger.Level.DEBUG, "Lanes: -Dlanes.simd=false, using the scalar kernels");
                return SCALAR;
            }
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "Lanes: the Java Vector API is not enabled, so the slower scalar "
                        + "kernels are used. Start java with " + VECTOR_FLAG + " to enable SIMD.");
                return SCALAR;
            }
            if (VECTOR == null) return SCALAR;
            // A library is quiet when all is well: DEBUG is java.util.logging's FINE, off by default.
            LOG.log(System.Logger.Level.DEBUG, "Lanes: Vector API kernels, " + VECTOR.vectorBits() + "-bit vectors");
            return VECTOR;
        }
    }

}
