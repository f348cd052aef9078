"""The network as frozen data: shapes, the layer types it is made of, and the graph the front ends build."""
