/**
 * Image preprocessing: any PNG, GIF, JPEG or BMP to the 28×28 [0, 1] input an MNIST model expects. A
 * module of its own because it reads images with javax.imageio (java.desktop), which the engine does not need.
 */
module dev.lanes.preprocess {
    requires transitive dev.lanes.engine;
    requires java.desktop;

    exports lanes.preprocess;
}
