/**
 * Models trained elsewhere, in Lanes: ONNX and Keras import to the engine's {@code Weights}, and ONNX
 * export.
 */
module dev.lanes.interchange {
    requires transitive dev.lanes.engine;
    // Keras files are HDF5; jHDF is an automatic module (a stable Automatic-Module-Name, no descriptor).
    requires io.jhdf;

    exports lanes.interchange;
}
