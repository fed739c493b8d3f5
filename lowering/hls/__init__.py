"""The `hls-cpp` target: intvit IR -> a Vitis HLS C++ project (hls4ml's layout), C-simulated."""
