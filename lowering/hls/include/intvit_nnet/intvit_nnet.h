// Everything the generated firmware calls.
#ifndef INTVIT_NNET_H_
#define INTVIT_NNET_H_

#include "boundary.h"
#include "dense.h"
#include "dsp_pack.h"
#include "layernorm.h"
#include "nonlinear.h"
#include "requant.h"
#include "shape.h"
#include "types.h"
#include "weights.h"

#endif
