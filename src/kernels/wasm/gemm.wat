;; The WebAssembly SIMD matrix-product kernel of the wasm backend (src/kernels/wasm/gemm.ts packs the
;; operands and drives it). Assembled by scripts/build-wasm.mjs (the npm package wabt) at build time.
;;
;; Packed layouts (float32, 16-byte aligned): an A micro-panel holds op(A)[i, p] of 4 rows at
;; a + (p·4 + i)·4; a B micro-panel holds op(B)[p, j] of 8 columns at b + (p·8 + j)·4.
(module
  (memory (export "memory") 1)

  ;; C[0..4, 0..8] (rows ldc bytes apart) = (accumulate ? C : 0) + Σ_p A[p·4 + i]·B[p·8 + j].
  ;; Eight f32x4 accumulators, two B vectors and one broadcast of A: 11 of the 16 vector registers.
  (func $tile (param $kc i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $accumulate i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128) (local $end i32)
    (local.set $end (i32.add (local.get $b) (i32.shl (local.get $kc) (i32.const 5))))
    (if (i32.gt_s (local.get $kc) (i32.const 0))
      (then
        (loop $depth
        (local.set $b0 (v128.load (local.get $b)))
        (local.set $b1 (v128.load offset=16 (local.get $b)))
        (local.set $x (v128.load32_splat (local.get $a)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=4 (local.get $a)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=8 (local.get $a)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=12 (local.get $a)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br_if $depth (i32.lt_u (local.get $b) (local.get $end))))))
    (if (local.get $accumulate)
      (then
      (local.set $c00 (f32x4.add (local.get $c00) (v128.load (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 0))))))
      (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 0))))))
      (local.set $c10 (f32x4.add (local.get $c10) (v128.load (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
      (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
      (local.set $c20 (f32x4.add (local.get $c20) (v128.load (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
      (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
      (local.set $c30 (f32x4.add (local.get $c30) (v128.load (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))
      (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))))
    (v128.store (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 0))) (local.get $c00))
    (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 0))) (local.get $c01))
    (v128.store (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c10))
    (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c11))
    (v128.store (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c20))
    (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c21))
    (v128.store (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c30))
    (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c31)))

  ;; Every tile of a packed block: mPanels A micro-panels × nPanels B micro-panels, each kc deep;
  ;; tile (ip, jp) goes to c + ip·4·ldc + jp·32. Loops B panels outside so one stays in L1.
  (func (export "gemmBlock") (param $mPanels i32) (param $nPanels i32) (param $kc i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $accumulate i32)
    (local $jp i32) (local $ip i32) (local $panelB i32) (local $panelA i32) (local $tileC i32)
    (local $strideA i32) (local $strideB i32)
    (local.set $strideA (i32.shl (local.get $kc) (i32.const 4)))
    (local.set $strideB (i32.shl (local.get $kc) (i32.const 5)))
    (local.set $jp (i32.const 0))
    (block $doneColumns
      (loop $columns
        (br_if $doneColumns (i32.ge_s (local.get $jp) (local.get $nPanels)))
        (local.set $panelB (i32.add (local.get $b) (i32.mul (local.get $jp) (local.get $strideB))))
        (local.set $ip (i32.const 0))
        (block $doneRows
          (loop $rows
            (br_if $doneRows (i32.ge_s (local.get $ip) (local.get $mPanels)))
            (local.set $panelA (i32.add (local.get $a) (i32.mul (local.get $ip) (local.get $strideA))))
            (local.set $tileC (i32.add (i32.add (local.get $c) (i32.shl (local.get $jp) (i32.const 5)))
                                       (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ldc))))
            (call $tile (local.get $kc) (local.get $panelA) (local.get $panelB) (local.get $tileC) (local.get $ldc) (local.get $accumulate))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
            (br $rows)))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $columns))))
)
