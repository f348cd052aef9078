"""Front ends: each reads a description of a network (a YAML spec, an ONNX graph) into the same frozen graph."""
