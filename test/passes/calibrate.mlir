// RUN: %python -c "import numpy as np; np.save('%t.minmax.npy', np.array([[[1.0, -2.0, 0.5]], [[0.25, 3.0, -1.0]]], np.float32))"
// RUN: intvit-opt %s -p 'calibrate{inputs="%t.minmax.npy"}' | filecheck %s
// RUN: intvit-opt %s -p 'calibrate{inputs="%t.minmax.npy" method=percentile percentile=50.0}' | filecheck %s --check-prefix=PCT
// RUN: not intvit-opt %s -p calibrate 2>&1 | filecheck %s --check-prefix=NOINPUT
// RUN: %python -c "import numpy as np; np.save('%t.bad.npy', np.zeros((2, 4), np.float32))"
// RUN: not intvit-opt %s -p 'calibrate{inputs="%t.bad.npy"}' 2>&1 | filecheck %s --check-prefix=SHAPE

// Two samples of shape [1, 3]: the argument's |x| max is 3; the sum doubles it (6).
// CHECK: func.func @main(%{{.*}}: !torch.vtensor<[1,3],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 3.000000e+00>}
// CHECK: torch.aten.add.Tensor {{.*}} {intvit.absmax = array<f64: 6.000000e+00>}
// PCT: intvit.arg_absmax = array<f64: 1.000000e+00>
// NOINPUT: calibrate: give the calibration samples with inputs=PATH.npy
// SHAPE: calibrate: calibration data {{.*}}bad.npy has samples of shape [4], @main takes [1, 3]
func.func @main(%arg0: !torch.vtensor<[1,3],f32>) -> !torch.vtensor<[1,3],f32> {
  %one = torch.constant.int 1
  %0 = torch.aten.add.Tensor %arg0, %arg0, %one : !torch.vtensor<[1,3],f32>, !torch.vtensor<[1,3],f32>, !torch.int -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}
