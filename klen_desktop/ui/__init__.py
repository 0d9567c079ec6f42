"""The Qt layer: thin widgets that render state and emit intentions."""
