"""The YAML spec front end: located YAML, the spec format, blocks, scaling, and the graph a scaled spec builds."""
