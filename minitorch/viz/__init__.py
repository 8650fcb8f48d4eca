"""Teaching visualisations: ``draw_graph`` draws the autograd graph behind a tensor."""
from .graph import Graph, GraphNode, can_render, draw_graph

__all__ = ["draw_graph", "Graph", "GraphNode", "can_render"]
