"""The ONNX front end: an exported graph read without the onnx package, mapped to costnet's graph."""
