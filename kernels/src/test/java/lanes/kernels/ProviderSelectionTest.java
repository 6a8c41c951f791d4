package lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The build runs the suite once with the Vector API module and once without, and says which via
 * {@code -Dlanes.expectSimd}. A SIMD run that silently fell back to the scalar kernels would test the
 * scalar path twice and pass; this class makes it fail instead.
 */
class ProviderSelectionTest {

    private static String expectSimd() {
        String expect = System.getProperty("lanes.expectSimd");
        Assumptions.assumeTrue(expect != null, "lanes.expectSimd is not set (not run by the build)");
        return expect;
    }

    @Test
    void theChosenImplementationIsTheExpectedOne() {
        Kernels chosen = KernelsProvider.get();
        if (Boolean.parseBoolean(expectSimd())) {
            assertTrue(chosen.vectorBits() >= 128, "expected SIMD kernels, got " + chosen.name());
            assertTrue(chosen.name().startsWith("vector-"), chosen.name());
            assertEquals("vector-" + chosen.vectorBits(), chosen.name());
            assertTrue(KernelsProvider.vector().isPresent());
            assertSame(KernelsProvider.vector().get(), chosen);
        } else {
            assertSame(KernelsProvider.scalar(), chosen, "expected the scalar kernels, got " + chosen.name());
            assertEquals("scalar", chosen.name());
            assertEquals(0, chosen.vectorBits());
            assertFalse(KernelsProvider.vector().isPresent(), "the Vector API module should be absent in this run");
        }
    }

    @Test
    void theChoiceIsMadeOnce() {
        assertSame(KernelsProvider.get(), KernelsProvider.get());
        assertSame(KernelsProvider.scalar(), KernelsProvider.scalar());
        // Both go through the one checking layer, to the arithmetic of their own kind.
        assertSame(ScalarKernels.INSTANCE, ((CheckedKernels) KernelsProvider.scalar()).arithmetic);
        KernelsProvider.vector().ifPresent(v -> assertSame(VectorKernels.class, ((CheckedKernels) v).arithmetic.getClass()));
    }

    @Test
    void theVectorModuleIsPresentExactlyWhenExpected() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(Boolean.parseBoolean(expectSimd()), present, "surefire argLine and lanes.expectSimd disagree");
    }
}
