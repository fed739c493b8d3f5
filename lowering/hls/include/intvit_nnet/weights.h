// Weights from firmware/weights/*.txt for large models (C simulation only: the .h files keep
// the initializers that synthesis uses), as hls4ml does to keep g++ fast.
#ifndef INTVIT_NNET_WEIGHTS_H_
#define INTVIT_NNET_WEIGHTS_H_

#ifndef __SYNTHESIS__
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace intvit_nnet {

template <class T, int SIZE>
void load_weights_txt(T w[SIZE], const std::string &path) {
    std::ifstream in(path.c_str());
    long long v = 0;
    for (int i = 0; i < SIZE; i++) {
        if (!(in >> v)) {
            std::fprintf(stderr, "intvit: cannot read %d values from %s\n", SIZE, path.c_str());
            std::exit(3);
        }
        w[i] = v;
    }
}

}  // namespace intvit_nnet
#endif

#endif
