// Inputs of test/passes/import-torch.mlir: each function has one op import-torch rejects.
func.func @sigmoid(%arg0: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> {
  %0 = torch.aten.sigmoid %arg0 : !torch.vtensor<[2,3],f32> -> !torch.vtensor<[2,3],f32>
  func.return %0 : !torch.vtensor<[2,3],f32>
}

// -----
func.func @decomposed_layer_norm(%arg0: !torch.vtensor<[1,3,4],f32>) -> !torch.vtensor<[1,3,1],f32> {
  %int2 = torch.constant.int 2
  %dims = torch.prim.ListConstruct %int2 : (!torch.int) -> !torch.list<int>
  %int0 = torch.constant.int 0
  %true = torch.constant.bool true
  %var, %mean = torch.aten.var_mean.correction %arg0, %dims, %int0, %true : !torch.vtensor<[1,3,4],f32>, !torch.list<int>, !torch.int, !torch.bool -> !torch.vtensor<[1,3,1],f32>, !torch.vtensor<[1,3,1],f32>
  func.return %var : !torch.vtensor<[1,3,1],f32>
}

// -----
func.func @dynamic(%arg0: !torch.vtensor<[?,3],f32>) -> !torch.vtensor<[?,3],f32> {
  %str = torch.constant.str "none"
  %0 = torch.aten.gelu %arg0, %str : !torch.vtensor<[?,3],f32>, !torch.str -> !torch.vtensor<[?,3],f32>
  func.return %0 : !torch.vtensor<[?,3],f32>
}

// -----
// Exported from a Python file: the exporter records the user's line in `intvit.source`.
func.func @sigmoid_from_user_code(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,4],f32> {
  %0 = torch.aten.sigmoid %arg0 {intvit.source = "/home/me/odd.py:7"} : !torch.vtensor<[1,4],f32> -> !torch.vtensor<[1,4],f32>
  func.return %0 : !torch.vtensor<[1,4],f32>
}
