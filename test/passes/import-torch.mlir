// RUN: intvit-opt %s --split-input-file -p import-torch | filecheck %s
// RUN: intvit-opt %inputs/torch_unsupported.mlir --split-input-file --verify-diagnostics -p import-torch 2>&1 | filecheck %s --check-prefix=BAD

// Identity ops are forwarded and unused constants dropped.
// CHECK-LABEL: func.func @identity$forwarded
// CHECK-SAME: (%[[X:.*]]: !torch.vtensor<[2,3],f32>)
// CHECK-NOT: torch.aten.clone
// CHECK-NOT: torch.constant.none
// CHECK: %[[G:.*]] = torch.aten.gelu %[[X]], %{{.*}} : !torch.vtensor<[2,3],f32>, !torch.str -> !torch.vtensor<[2,3],f32>
// CHECK: func.return %[[G]]
func.func @identity$forwarded(%arg0: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %none = torch.constant.none
  %0 = torch.aten.clone %arg0, %none : !torch.vtensor<[2,3],f32>, !torch.none -> !torch.vtensor<[2,3],f32>
  %str = torch.constant.str "none"
  %1 = torch.aten.gelu %0, %str : !torch.vtensor<[2,3],f32>, !torch.str -> !torch.vtensor<[2,3],f32>
  func.return %1 : !torch.vtensor<[2,3],f32>
}

// BAD: torch_unsupported.mlir:3:3: error: import-torch: unsupported torch op 'torch.aten.sigmoid' (no integer-only rule for it)
// BAD: torch_unsupported.mlir:{{[0-9]+}}:{{[0-9]+}}: error: import-torch: unsupported torch op 'torch.aten.var_mean.correction' (a decomposed LayerNorm: export with intvit's exporter (`intvit import`), which keeps aten.layer_norm)
// BAD: torch_unsupported.mlir:{{[0-9]+}}:{{[0-9]+}}: error: import-torch: 'torch.aten.gelu' has a dynamic shape; export with static shapes
// BAD: /home/me/odd.py:7: error: import-torch: unsupported torch op 'torch.aten.sigmoid' (no integer-only rule for it)
// BAD-NEXT: torch_unsupported.mlir:27:3: note: 'torch.aten.sigmoid' in the torch dialect
// BAD-NOT: Traceback
