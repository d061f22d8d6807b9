// A transformer encoder block in the nn dialect, as the frontends import
// it: batch and sequence length are symbolic (`batch`, `seq`), weights are
// dense resources. `ddl-opt --nn-infer-shapes --canonicalize` proves every
// intermediate shape in terms of those symbols and removes the reshape
// and transpose chains that cancel.
func.func @encoder_block(
    %x: tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>,
    %wqkv: tensor<64x192xf32>, %wo: tensor<64x64xf32>,
    %w1: tensor<64x256xf32>, %w2: tensor<256x64xf32>,
    %gamma: tensor<64xf32>, %beta: tensor<64xf32>) -> tensor<?x?x?xf32> {
  // Self-attention: one fused QKV projection, 4 heads of 16.
  %qkv = nn.matmul %x, %wqkv : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<64x192xf32>) -> tensor<?x?x?xf32>
  %parts:3 = nn.split %qkv {axis = 2 : i64, num_outputs = 3 : i64}
      : (tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  %heads = nn.constant dense<[0, 0, 4, 16]> : tensor<4xi64>
  %q4 = nn.reshape %parts#0, %heads : (tensor<?x?x?xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %k4 = nn.reshape %parts#1, %heads : (tensor<?x?x?xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %v4 = nn.reshape %parts#2, %heads : (tensor<?x?x?xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %q = nn.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %kt = nn.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %v = nn.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %scores = nn.matmul %q, %kt : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %scale = nn.constant dense<0.25> : tensor<f32>
  %scaled = nn.mul %scores, %scale : (tensor<?x?x?x?xf32>, tensor<f32>) -> tensor<?x?x?x?xf32>
  %probs = nn.softmax %scaled {axis = -1 : i64} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %ctx = nn.matmul %probs, %v : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %ctx_t = nn.transpose %ctx {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %merge = nn.constant dense<[0, 0, -1]> : tensor<3xi64>
  %ctx3 = nn.reshape %ctx_t, %merge : (tensor<?x?x?x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %attn = nn.matmul %ctx3, %wo : (tensor<?x?x?xf32>, tensor<64x64xf32>) -> tensor<?x?x?xf32>
  %res1 = nn.add %x, %attn : (tensor<?x?x64xf32, #nn.dims<batch, seq, 64>>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %n1 = nn.layer_norm %res1, %gamma, %beta {epsilon = 1.0e-05 : f32}
      : (tensor<?x?x?xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x?xf32>
  // Feed-forward.
  %h = nn.matmul %n1, %w1 : (tensor<?x?x?xf32>, tensor<64x256xf32>) -> tensor<?x?x?xf32>
  %g = nn.gelu %h : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %f = nn.matmul %g, %w2 : (tensor<?x?x?xf32>, tensor<256x64xf32>) -> tensor<?x?x?xf32>
  %res2 = nn.add %n1, %f : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  // An identity and a transpose pair that cancel, as exporters leave them.
  %id = nn.identity %res2 : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %t1 = nn.transpose %id {perm = array<i64: 1, 0, 2>} : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %t2 = nn.transpose %t1 {perm = array<i64: 1, 0, 2>} : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %t2 : tensor<?x?x?xf32>
}
