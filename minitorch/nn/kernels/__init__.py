"""Array-level kernels (im2col/col2im, pooling windows) shared by the conv/pool Functions."""
