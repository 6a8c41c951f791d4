package lanes.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species all SIMD kernels use, fixed at class initialisation so that C2 sees a
 * constant (a species held anywhere but a static final field defeats intrinsification).
 * {@code -Dlanes.vectorBits=128|256|512} narrows it for experiments; the preferred width is the cap.
 */
final class VectorWidth {
    private VectorWidth() {}

    static final VectorSpecies<Float> SPECIES = pick(Integer.getInteger("lanes.vectorBits", 0));

    private static VectorSpecies<Float> pick(int bits) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (bits <= 0 || bits >= preferred.vectorBitSize()) return preferred;
        if (bits != 64 && bits != 128 && bits != 256) {
            throw new IllegalArgumentException("lanes.vectorBits must be 128, 256 or 512, got " + bits);
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
