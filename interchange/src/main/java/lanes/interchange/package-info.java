/**
 * Models trained elsewhere, in Lanes: ONNX and Keras import to the engine's {@code Weights}, and ONNX
 * export of any Lanes model. A module of its own so that the engine jar stays dependency-free.
 */
package lanes.interchange;
