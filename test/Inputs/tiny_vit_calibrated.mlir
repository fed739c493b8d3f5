// A 1-block ViT (4x4 image, 2x2 patches, dim 8, 2 heads), exported by intvit's exporter,
// `import-torch`ed and calibrated on 4 seeded images: the input of test/passes/quantize-to-intvit-vit.mlir.
builtin.module {
  func.func @main(%arg0: !torch.vtensor<[1,1,4,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.3250308036804199>} {
    %0 = torch.vtensor.literal(dense_resource<torch_tensor_8_1_2_2_torch.float32> : tensor<8x1x2x2xf32>) : !torch.vtensor<[8,1,2,2],f32>
    %1 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %int2 = torch.constant.int 2
    %int2_1 = torch.constant.int 2
    %2 = torch.prim.ListConstruct %int2, %int2_1 : (!torch.int, !torch.int) -> !torch.list<int>
    %int0 = torch.constant.int 0
    %int0_1 = torch.constant.int 0
    %3 = torch.prim.ListConstruct %int0, %int0_1 : (!torch.int, !torch.int) -> !torch.list<int>
    %int1 = torch.constant.int 1
    %int1_1 = torch.constant.int 1
    %4 = torch.prim.ListConstruct %int1, %int1_1 : (!torch.int, !torch.int) -> !torch.list<int>
    %int1_2 = torch.constant.int 1
    %5 = torch.aten.conv2d %arg0, %0, %1, %2, %3, %4, %int1_2 {intvit.absmax = array<f64: 1.751282811164856>} : !torch.vtensor<[1,1,4,4],f32>, !torch.vtensor<[8,1,2,2],f32>, !torch.vtensor<[8],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[1,8,2,2],f32>
    %int2_2 = torch.constant.int 2
    %int-1 = torch.constant.int -1
    %6 = torch.aten.flatten.using_ints %5, %int2_2, %int-1 {intvit.absmax = array<f64: 1.751282811164856>} : !torch.vtensor<[1,8,2,2],f32>, !torch.int, !torch.int -> !torch.vtensor<[1,8,4],f32>
    %int1_3 = torch.constant.int 1
    %int2_3 = torch.constant.int 2
    %7 = torch.aten.transpose.int %6, %int1_3, %int2_3 {intvit.absmax = array<f64: 1.751282811164856>} : !torch.vtensor<[1,8,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[1,4,8],f32>
    %8 = torch.vtensor.literal(dense_resource<torch_tensor_1_1_8_torch.float32> : tensor<1x1x8xf32>) : !torch.vtensor<[1,1,8],f32>
    %int1_4 = torch.constant.int 1
    %int-1_1 = torch.constant.int -1
    %int-1_2 = torch.constant.int -1
    %9 = torch.prim.ListConstruct %int1_4, %int-1_1, %int-1_2 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
    %false = torch.constant.bool false
    %10 = torch.aten.expand %8, %9, %false {intvit.absmax = array<f64: 0.034526221454143524>} : !torch.vtensor<[1,1,8],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[1,1,8],f32>
    %11 = torch.prim.ListConstruct %10, %7 : (!torch.vtensor<[1,1,8],f32>, !torch.vtensor<[1,4,8],f32>) -> !torch.list<vtensor>
    %int1_5 = torch.constant.int 1
    %12 = torch.aten.cat %11, %int1_5 {intvit.absmax = array<f64: 1.751282811164856>} : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[1,5,8],f32>
    %13 = torch.vtensor.literal(dense_resource<torch_tensor_1_5_8_torch.float32> : tensor<1x5x8xf32>) : !torch.vtensor<[1,5,8],f32>
    %int1_6 = torch.constant.int 1
    %14 = torch.aten.add.Tensor %12, %13, %int1_6 {intvit.absmax = array<f64: 1.7413556575775146>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[1,5,8],f32>, !torch.int -> !torch.vtensor<[1,5,8],f32>
    %int8 = torch.constant.int 8
    %15 = torch.prim.ListConstruct %int8 : (!torch.int) -> !torch.list<int>
    %16 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_1> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %17 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_2> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %float9.999990e-07 = torch.constant.float 9.99999999999999955e-07
    %false_1 = torch.constant.bool false
    %18 = torch.aten.layer_norm %14, %15, %16, %17, %float9.999990e-07, %false_1 {intvit.absmax = array<f64: 2.5345194339752197>} : !torch.vtensor<[1,5,8],f32>, !torch.list<int>, !torch.vtensor<[8],f32>, !torch.vtensor<[8],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,5,8],f32>
    %19 = torch.vtensor.literal(dense_resource<torch_tensor_24_8_torch.float32> : tensor<24x8xf32>) : !torch.vtensor<[24,8],f32>
    %20 = torch.vtensor.literal(dense_resource<torch_tensor_24_torch.float32> : tensor<24xf32>) : !torch.vtensor<[24],f32>
    %21 = torch.aten.linear %18, %19, %20 {intvit.absmax = array<f64: 0.24893316626548767>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[24,8],f32>, !torch.vtensor<[24],f32> -> !torch.vtensor<[1,5,24],f32>
    %int1_7 = torch.constant.int 1
    %int5 = torch.constant.int 5
    %int3 = torch.constant.int 3
    %int2_4 = torch.constant.int 2
    %int4 = torch.constant.int 4
    %22 = torch.prim.ListConstruct %int1_7, %int5, %int3, %int2_4, %int4 : (!torch.int, !torch.int, !torch.int, !torch.int, !torch.int) -> !torch.list<int>
    %23 = torch.aten.reshape %21, %22 {intvit.absmax = array<f64: 0.24893316626548767>} : !torch.vtensor<[1,5,24],f32>, !torch.list<int> -> !torch.vtensor<[1,5,3,2,4],f32>
    %int2_5 = torch.constant.int 2
    %int0_2 = torch.constant.int 0
    %int3_1 = torch.constant.int 3
    %int1_8 = torch.constant.int 1
    %int4_1 = torch.constant.int 4
    %24 = torch.prim.ListConstruct %int2_5, %int0_2, %int3_1, %int1_8, %int4_1 : (!torch.int, !torch.int, !torch.int, !torch.int, !torch.int) -> !torch.list<int>
    %25 = torch.aten.permute %23, %24 {intvit.absmax = array<f64: 0.24893316626548767>} : !torch.vtensor<[1,5,3,2,4],f32>, !torch.list<int> -> !torch.vtensor<[3,1,2,5,4],f32>
    %int0_3 = torch.constant.int 0
    %26 = torch.aten.unbind.int %25, %int0_3 {intvit.absmax = array<f64: 0.000000e+00>} : !torch.vtensor<[3,1,2,5,4],f32>, !torch.int -> !torch.list<vtensor>
    %27, %28, %29 = torch.prim.ListUnpack %26 {intvit.absmax = array<f64: 0.12566031515598297, 0.24893316626548767, 0.17978461086750031>} : !torch.list<vtensor> -> !torch.vtensor<[1,2,5,4],f32>, !torch.vtensor<[1,2,5,4],f32>, !torch.vtensor<[1,2,5,4],f32>
    %int-2 = torch.constant.int -2
    %int-1_3 = torch.constant.int -1
    %30 = torch.aten.transpose.int %28, %int-2, %int-1_3 {intvit.absmax = array<f64: 0.24893316626548767>} : !torch.vtensor<[1,2,5,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[1,2,4,5],f32>
    %31 = torch.aten.matmul %27, %30 {intvit.absmax = array<f64: 0.042307935655117035>} : !torch.vtensor<[1,2,5,4],f32>, !torch.vtensor<[1,2,4,5],f32> -> !torch.vtensor<[1,2,5,5],f32>
    %float5.000000e-01 = torch.constant.float 5.00000000000000000e-01
    %32 = torch.aten.mul.Scalar %31, %float5.000000e-01 {intvit.absmax = array<f64: 0.021153967827558517>} : !torch.vtensor<[1,2,5,5],f32>, !torch.float -> !torch.vtensor<[1,2,5,5],f32>
    %int-1_4 = torch.constant.int -1
    %none = torch.constant.none
    %33 = torch.aten.softmax.int %32, %int-1_4, %none {intvit.absmax = array<f64: 0.20259599387645721>} : !torch.vtensor<[1,2,5,5],f32>, !torch.int, !torch.none -> !torch.vtensor<[1,2,5,5],f32>
    %34 = torch.aten.matmul %33, %29 {intvit.absmax = array<f64: 0.043556898832321167>} : !torch.vtensor<[1,2,5,5],f32>, !torch.vtensor<[1,2,5,4],f32> -> !torch.vtensor<[1,2,5,4],f32>
    %int1_9 = torch.constant.int 1
    %int2_6 = torch.constant.int 2
    %35 = torch.aten.transpose.int %34, %int1_9, %int2_6 {intvit.absmax = array<f64: 0.043556898832321167>} : !torch.vtensor<[1,2,5,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[1,5,2,4],f32>
    %int1_10 = torch.constant.int 1
    %int5_1 = torch.constant.int 5
    %int8_1 = torch.constant.int 8
    %36 = torch.prim.ListConstruct %int1_10, %int5_1, %int8_1 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
    %37 = torch.aten.reshape %35, %36 {intvit.absmax = array<f64: 0.043556898832321167>} : !torch.vtensor<[1,5,2,4],f32>, !torch.list<int> -> !torch.vtensor<[1,5,8],f32>
    %38 = torch.vtensor.literal(dense_resource<torch_tensor_8_8_torch.float32> : tensor<8x8xf32>) : !torch.vtensor<[8,8],f32>
    %39 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_3> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %40 = torch.aten.linear %37, %38, %39 {intvit.absmax = array<f64: 0.0036227551754564047>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[8,8],f32>, !torch.vtensor<[8],f32> -> !torch.vtensor<[1,5,8],f32>
    %int1_11 = torch.constant.int 1
    %41 = torch.aten.add.Tensor %14, %40, %int1_11 {intvit.absmax = array<f64: 1.7414277791976929>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[1,5,8],f32>, !torch.int -> !torch.vtensor<[1,5,8],f32>
    %int8_2 = torch.constant.int 8
    %42 = torch.prim.ListConstruct %int8_2 : (!torch.int) -> !torch.list<int>
    %43 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_4> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %44 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_5> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %float9.999990e-07_1 = torch.constant.float 9.99999999999999955e-07
    %false_2 = torch.constant.bool false
    %45 = torch.aten.layer_norm %41, %42, %43, %44, %float9.999990e-07_1, %false_2 {intvit.absmax = array<f64: 2.5261673927307129>} : !torch.vtensor<[1,5,8],f32>, !torch.list<int>, !torch.vtensor<[8],f32>, !torch.vtensor<[8],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,5,8],f32>
    %46 = torch.vtensor.literal(dense_resource<torch_tensor_16_8_torch.float32> : tensor<16x8xf32>) : !torch.vtensor<[16,8],f32>
    %47 = torch.vtensor.literal(dense_resource<torch_tensor_16_torch.float32> : tensor<16xf32>) : !torch.vtensor<[16],f32>
    %48 = torch.aten.linear %45, %46, %47 {intvit.absmax = array<f64: 0.12811888754367828>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[16,8],f32>, !torch.vtensor<[16],f32> -> !torch.vtensor<[1,5,16],f32>
    %str = torch.constant.str "none"
    %49 = torch.aten.gelu %48, %str {intvit.absmax = array<f64: 0.061663646250963211>} : !torch.vtensor<[1,5,16],f32>, !torch.str -> !torch.vtensor<[1,5,16],f32>
    %50 = torch.vtensor.literal(dense_resource<torch_tensor_8_16_torch.float32> : tensor<8x16xf32>) : !torch.vtensor<[8,16],f32>
    %51 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_6> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %52 = torch.aten.linear %49, %50, %51 {intvit.absmax = array<f64: 0.0066446964628994465>} : !torch.vtensor<[1,5,16],f32>, !torch.vtensor<[8,16],f32>, !torch.vtensor<[8],f32> -> !torch.vtensor<[1,5,8],f32>
    %int1_12 = torch.constant.int 1
    %53 = torch.aten.add.Tensor %41, %52, %int1_12 {intvit.absmax = array<f64: 1.7426379919052124>} : !torch.vtensor<[1,5,8],f32>, !torch.vtensor<[1,5,8],f32>, !torch.int -> !torch.vtensor<[1,5,8],f32>
    %int8_3 = torch.constant.int 8
    %54 = torch.prim.ListConstruct %int8_3 : (!torch.int) -> !torch.list<int>
    %55 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_7> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %56 = torch.vtensor.literal(dense_resource<torch_tensor_8_torch.float32_8> : tensor<8xf32>) : !torch.vtensor<[8],f32>
    %float9.999990e-07_2 = torch.constant.float 9.99999999999999955e-07
    %false_3 = torch.constant.bool false
    %57 = torch.aten.layer_norm %53, %54, %55, %56, %float9.999990e-07_2, %false_3 {intvit.absmax = array<f64: 2.5115711688995361>} : !torch.vtensor<[1,5,8],f32>, !torch.list<int>, !torch.vtensor<[8],f32>, !torch.vtensor<[8],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,5,8],f32>
    %int1_13 = torch.constant.int 1
    %int0_4 = torch.constant.int 0
    %58 = torch.aten.select.int %57, %int1_13, %int0_4 {intvit.absmax = array<f64: 2.5115711688995361>} : !torch.vtensor<[1,5,8],f32>, !torch.int, !torch.int -> !torch.vtensor<[1,8],f32>
    %59 = torch.vtensor.literal(dense_resource<torch_tensor_3_8_torch.float32> : tensor<3x8xf32>) : !torch.vtensor<[3,8],f32>
    %60 = torch.vtensor.literal(dense_resource<torch_tensor_3_torch.float32> : tensor<3xf32>) : !torch.vtensor<[3],f32>
    %61 = torch.aten.linear %58, %59, %60 {intvit.absmax = array<f64: 0.020841360092163086>} : !torch.vtensor<[1,8],f32>, !torch.vtensor<[3,8],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
    func.return %61 : !torch.vtensor<[1,3],f32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_16_8_torch.float32: "0x0400000080C602BBD470C43AD36F413C5699023C5E5E50BC34BA753A231B153D52B9EE3CA473D3BA35A133B739ABBBBC9256243D900F68BB62BAE0BC070368BCB23BF33977A307BD6E3817BC20A2473A9BEED8BC39CE353CBD3BB1BCE962D8BB9419B23B3527143C8A75853C32BD36BBDCF4F0BBAFDD15BCD7B06CBC14592C3C08F40EBC24A8AC3C3B97ABBC1888933B82C45E3CA04C2D3CBF7282BC1431CEBB8686A5BC30274C3C0096893C1E8190BCED1C9E3C7B598E3C4E857B3CFE17F03BBBC842BCAF2D86BC9483ED3BB190913BC2DDB63B538DCEBB2A9D39BD1D13B43C32D8563BD429AABCAADA05BD9E1A303C1460B13C1F1F0CBDBB1E263C62C37D3B34EA5A3C059DD6BC665B583C355AE7BCF449163D667C153CC1B5173C5038903CC13580BCEA1D8ABC4F4D463C7DE2D73C3279AF3C722AC8BCDE72A53C17A8A0BBE4A2863C47B724BBC67C5D3CEF4F8D3C8F31133DDE06F7BCE562553BA52551BCB81F933CAE5F5F3CCB28F5BC00F8A0BC3D676B3CA73F103C804906BB0F700DBDDACD1EBC20CE8F3CA1719BBBA343003D337ABBBCDE2D5ABDB03365B96F12A93B3866B03CC58B553B74285CBC99AD0ABDB21DB0BCADF98B3CB5E887BC009E3B3CDE36C1BA1D43B9BA04ADA5BA4DFA413C590012BCBEB7C7BC81C2F6BCAA79883B32E450BCABB1073A199B80BBDB2180BCCD5D2FBD29B8DA3B8A6EC13BC099213C1213E13C",torch_tensor_16_torch.float32: "0x0400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_1_1_8_torch.float32: "0x040000005E6B0DBD0983EABBDFA7EFB9EF3AAC3BEAC68EBCF4F71FBC11D6B33C47FA60BC",torch_tensor_1_5_8_torch.float32: "0x04000000CEC59BBC7247F93B8043A73BE44F2A3B19CCDC3CF331313CED499BBC207A843B33EE8CBB4AC9773C37BF38BA55A5223C7BB389BC9699043C8954923CFE3CEEBC8C57EDBBBCE801BD463314BC7370B43BBC9F473C0D23CCBCC6854C3DA4A167BC7C9727BD811868BBEE7C4C3C025B0ABDBFF3853C6F3F2FBA19D0E9BB3472D8BB8467E43B860BAABC3E129DBC076F963C4B2B203C355841BD05FD1FBC279DA9BC",torch_tensor_24_8_torch.float32: "0x04000000E06C04BD3DF97BBCE1F5C7BC78CD3B3CE11C653CC685C63B1F96823B460C56BD39ED033DFB771FBB2E6AE4BC873D94BC6C36E3BB89FD85BB1F4A8A3B40BAEB3C5E8F303C2F852CBCD73DDABCC627FD3C09E6053C7E9107BD3BA2213C748949BC57A205BC5872143CAC6100BC64562F3D112387BBEA2F693C20BB353C3A4E84BCF3C8613ABAFE0FBC9D8C5DBC15730E3D9F629ABC9756BE3C171E263D4B0A14BDA285363CBC964E3B6446A83CCD67C93C2535CDB7B372BBBC463EB3BCB9B732BCFCB9D73CD746E4BB5ED6C53CD44754BC19882C3C4DF99F3C7C69B2BC5E3856BB004406BC890672BCA699073DF3832A3C7E7298BB66868F3CD36FE93CB284B2BBBC84E83B9B18053DE473423C80580DBD73D24BBCB32E423C125F5DBB574B3BBD52D46C3AF0D63D3CD3A301BD959B40BC336615BB6D5A8E3DB414563C0A3C753D72F767BABD412A3C3010793C96A2A8BCC9DDCCBC2EEE18BCAAB0D1BBFCFC653C574A4B3BBD31B53CAD50B33CF8DD3A3C4A667E3C64815ABD5CF6E13CFB332ABC60CAADBB33E37EBCAA8FE63C25EE73BD93FB3CBB5BC30EBCCDAFB43C0FFA7BBC42BC243C405791BCDBA0233D87210BBDD4335CBC9284CE3CF3BB54BCBC67533B1BC645BC782946BD973F96BC59FA653C0EC277BC3363A4BC7DDD04BC0E8BA73CA0BBF43CF79D33BD9DF40EBB928700BD12E2363C804AD6BB59309C3CADB83B3C4D283FBCE46CA9BB026E46BCA1BB76BBD2389D3CFE70A6BC679AFABCC68CC7BC527AECBCF2CECEBC2FBC403C6C9D8FBC339EA9BC7CDA41BB6DF1B0BC0D0737BB0DCE1A3D0E70B13BFB406F3C22BCD1BC86BCEABB39E8C23C814D6BBB1C5C15BD874A083C27A17FBC8A0B00BAF7BF9ABCA774C73AD87299BAD4417D3CD6A9193C59036DBCD224813C6790DF3C4BE0F43B3DE9A3BC2F91A2B84E0EC23C7C9F773C2759F2BBF92C69BCDBAD1DBB69E2CA3CA71A823B73FA7B394407C33B40898E3C3D554B3DE7B7C4BC1046A73C159BFDBB362195BA98B3C23C853B50BD3D49E7BB98FE92BC6943D5BC77ECE0BC6C850A3D1F7417BC2411113CC263283CD89D48BC",torch_tensor_24_torch.float32: "0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_3_8_torch.float32: "0x040000001D9C233A2F33033C96830B3CE68B893C1CFDCA3C8A7BE8BB2746AEBCE22A80B8CFCAAB3B0F7800BB60CCB63B5CD5EA38A007BFBB5BEF093DF694A53C4DC84B3CFB155BBA5C7365BCBCCDF93AA93235BCCE7474BC5984EBBC46F4613A9CCD06BD",torch_tensor_3_torch.float32: "0x04000000000000000000000000000000",torch_tensor_8_16_torch.float32: "0x04000000885311BDA1C584BC55D2F1BC18925A3C55275B3CB7934F3C2D1129BA263C953C447C3E3CCCFF993B2095AF3C25552BBC345A6CBCC41EA63C94D9BCBB4C12703CC147003CFEA4DBBCB7EB783C87CF6E3C5CF1AEBACB3775BCC50BE93C827E353BB57C383A99FE38BCF60E963CDBF0C33B0A1E683BC4D0073C7978093CBFF99B3BC110B13B943783BB9BDBA63CD79E08BC2B5D21BA0766F2BCA11122BC2E9BF43B7537C5BC9CB72EBB6649C0BB2756183C3ED33C3CE90F113CCDE024B9F2E7E1BBDE2F793A0A4E58B9D02AEB3CC7FCA43BB7C0723C2B71EC3C989386BB77D5B23CFBED553AFE13B7BC2557663CFDB75ABC5057243BFD6F813C1D8547B96F898CBCD5DBDE3B89358BBBBC08003D02A194BC494D00BD5FE88DBA5DF6843B7B4BF8BB787B6FBB868E7EBC5E86113D0DEA24BC764F943A49BD763BE761923C6BB7543C93B6633CB80B19BC14245CBB6189783C0AA7C23CAF8A433CEA41A43C6B6E86BC2B00243DB47CC13B071F2E3CA2472BBC5463023B3074D33C0AE2593CEFE82D3C12DCB03CB9E8BB3C332363BB6A04A73A2710D0BC74F2F3BBF3B22A3D427DB83C8384133D1CF928BD2923D33BB09EBABCB574CB3C215CFEBC4E375FBCFE4DA5BB983A823AD28863BB45537B3C6D834A3CB28C643D778D9CBB27D05DB9E72EC43B2B1EC43BDC463FBC004FD53B76A82E3BE8AF233B4E75B0BC35EC46BC6C51753C",torch_tensor_8_1_2_2_torch.float32: "0x04000000005475BB5E54893E16B3D2BE8066BCBEF43245BEEC4B093E404F22BCCEFACA3E70BF35BD4C7B073EACBB1ABE7048C9BDB891F4BE528BA9BEE80E53BE00BB973C60694A3E189B993E8C8DADBEFCF45EBE98F7393E4E94D43E48BDD2BD5C91BF3E400DA5BD10B5583D4ACDE73ECE7BEDBE6629A1BEE09E01BEDC9347BE282FDD3E",torch_tensor_8_8_torch.float32: "0x0400000057E03ABCDD1B2CBD238AFF3B39F7E43A47788CBCADE10BBD25437EBCBA31143C2A3ADA3C0B667D3C94677A3D02CD4BBD5DF30ABD1E5A9BBC092071BC9C096EBB54C52C3C586B463B25022A3CFD3441BC92F3A33CDE8BC33CCF31CFB90DB0B73BB385E8BC0F71D3BBB3E1513B1D11F3BCD0E6863C82C4BABCD2691CBAEB254FB97B04193B784942BB6251923C15A379BC731DFCBC4FF74BBC2B7EE9BB9DD3203D3407D939BC4124BB00230A3D30783A3D62C29CBC6D33123DC2577D3BD0CDD43BB4B702393548E6BC87911C3BB211D9BBFDBE89BCCAFCB23BD90AEBBBC3070D3DE4B89DBBD3D44CBCC7B7853CC2203BBCB7911CBB55E2DF3BE488BCBBEFD822BC",torch_tensor_8_torch.float32: "0x040000001AEFA5BEC0B06BBE1ADAB2BE76C2EFBE047095BE9E0EDC3EBC76643E0027783E",torch_tensor_8_torch.float32_1: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",torch_tensor_8_torch.float32_2: "0x040000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_8_torch.float32_3: "0x040000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_8_torch.float32_4: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",torch_tensor_8_torch.float32_5: "0x040000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_8_torch.float32_6: "0x040000000000000000000000000000000000000000000000000000000000000000000000",torch_tensor_8_torch.float32_7: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",torch_tensor_8_torch.float32_8: "0x040000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}
