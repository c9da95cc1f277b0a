;; The WebAssembly SIMD kernels of the wasm backend: the matrix product (and the one-row product
;; against a transposed matrix), an Adam step, and the elementwise work of a relu layer (bias +
;; relu, relu's backward, sums over rows). src/kernels/wasm/gemm.ts copies the operands into this
;; module's memory and drives them. Assembled by scripts/build-wasm.mjs
;; (the npm package wabt) at build time. All pointers and strides are in bytes.
;;
;; A is read where it was copied: element (i, p) of op(A) at a + i·rsa + p·csa (rsa = 4k, csa = 4
;; for A stored [m,k]; rsa = 4, csa = 4m for A stored [k,m]). B (row-major [k,n]; a transposed B
;; is first turned around by $transpose) is packed by $packB into panels of 8 columns, element
;; (p, j) of panel t at b + t·kc·32 + p·32 + 4j, so a kernel's slice of B is contiguous whatever
;; n is (rows of B a power of two apart would fight over the same L1 sets). C: (i, j) at c + i·ldc + 4j.
(module
  (memory (export "memory") 1)

  ;; C[0..4, 0..8] = (accumulate ? C : 0) + Σ_{p<kc} op(A)[i,p]·B[p,j]. Eight f32x4 accumulators,
  ;; two B vectors and one broadcast of A: 11 of the 16 vector registers.
  (func $tile (param $kc i32) (param $a i32) (param $rsa i32) (param $csa i32) (param $b i32) (param $ldb i32)
              (param $c i32) (param $ldc i32) (param $accumulate i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local.set $row0 (local.get $a))
    (local.set $row1 (i32.add (local.get $row0) (local.get $rsa)))
    (local.set $row2 (i32.add (local.get $row1) (local.get $rsa)))
    (local.set $row3 (i32.add (local.get $row2) (local.get $rsa)))
    (if (i32.gt_s (local.get $kc) (i32.const 0))
      (then
        (loop $depth
        (local.set $b0 (v128.load (local.get $b)))
        (local.set $b1 (v128.load offset=16 (local.get $b)))
        (local.set $x (v128.load32_splat (local.get $row0)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $row1)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $row2)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat (local.get $row3)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $row0 (i32.add (local.get $row0) (local.get $csa)))
        (local.set $row1 (i32.add (local.get $row1) (local.get $csa)))
        (local.set $row2 (i32.add (local.get $row2) (local.get $csa)))
        (local.set $row3 (i32.add (local.get $row3) (local.get $csa)))
        (local.set $b (i32.add (local.get $b) (local.get $ldb)))
        (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
        (br_if $depth (i32.gt_s (local.get $kc) (i32.const 0))))))
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

  ;; Every 4×8 tile of an mTiles·4 × nTiles·8 block of C, each kc deep, with B packed by $packB.
  ;; Tiles go column by column so the B panel a column of tiles shares stays in L1.
  (func (export "gemmTiles") (param $mTiles i32) (param $nTiles i32) (param $kc i32) (param $a i32) (param $rsa i32) (param $csa i32)
                             (param $b i32) (param $c i32) (param $ldc i32) (param $accumulate i32)
    (local $jt i32) (local $it i32)
    (local.set $jt (i32.const 0))
    (block $doneColumns
      (loop $columns
        (br_if $doneColumns (i32.ge_s (local.get $jt) (local.get $nTiles)))
        (local.set $it (i32.const 0))
        (block $doneRows
          (loop $rows
            (br_if $doneRows (i32.ge_s (local.get $it) (local.get $mTiles)))
            (call $tile (local.get $kc)
              (i32.add (local.get $a) (i32.mul (i32.shl (local.get $it) (i32.const 2)) (local.get $rsa))) (local.get $rsa) (local.get $csa)
              (i32.add (local.get $b) (i32.mul (local.get $jt) (i32.shl (local.get $kc) (i32.const 5)))) (i32.const 32)
              (i32.add (i32.add (local.get $c) (i32.shl (local.get $jt) (i32.const 5))) (i32.mul (i32.shl (local.get $it) (i32.const 2)) (local.get $ldc)))
              (local.get $ldc) (local.get $accumulate))
            (local.set $it (i32.add (local.get $it) (i32.const 1)))
            (br $rows)))
        (local.set $jt (i32.add (local.get $jt) (i32.const 1)))
        (br $columns))))

  ;; Packs kc rows × nTiles·8 columns of a row-major matrix (rows ldb bytes apart) into panels of
  ;; 8 columns: element (p, j) of panel t to dst + t·kc·32 + p·32 + 4j.
  (func (export "packB") (param $src i32) (param $ldb i32) (param $kc i32) (param $nTiles i32) (param $dst i32)
    (local $p i32) (local $t i32) (local $row i32) (local $out i32) (local $panelBytes i32)
    (local.set $panelBytes (i32.shl (local.get $kc) (i32.const 5)))
    (local.set $p (i32.const 0))
    (block $doneRows
      (loop $rows
        (br_if $doneRows (i32.ge_s (local.get $p) (local.get $kc)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $ldb))))
        (local.set $out (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5))))
        (local.set $t (i32.const 0))
        (block $doneTiles
          (loop $tiles
            (br_if $doneTiles (i32.ge_s (local.get $t) (local.get $nTiles)))
            (v128.store (local.get $out) (v128.load (local.get $row)))
            (v128.store offset=16 (local.get $out) (v128.load offset=16 (local.get $row)))
            (local.set $row (i32.add (local.get $row) (i32.const 32)))
            (local.set $out (i32.add (local.get $out) (local.get $panelBytes)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tiles)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rows))))

  ;; dst[j·rows + i] = src[i·cols + j] (float32, pointers in bytes): a [rows, cols] matrix turned
  ;; into [cols, rows], in 8 × 8 blocks so both sides stay in cache.
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $i0 i32) (local $j0 i32) (local $i i32) (local $j i32) (local $iEnd i32) (local $jEnd i32)
    (local.set $i0 (i32.const 0))
    (block $doneRowBlocks
      (loop $rowBlocks
        (br_if $doneRowBlocks (i32.ge_s (local.get $i0) (local.get $rows)))
        (local.set $iEnd (select (i32.add (local.get $i0) (i32.const 8)) (local.get $rows)
                                 (i32.lt_s (i32.add (local.get $i0) (i32.const 8)) (local.get $rows))))
        (local.set $j0 (i32.const 0))
        (block $doneColumnBlocks
          (loop $columnBlocks
            (br_if $doneColumnBlocks (i32.ge_s (local.get $j0) (local.get $cols)))
            (local.set $jEnd (select (i32.add (local.get $j0) (i32.const 8)) (local.get $cols)
                                     (i32.lt_s (i32.add (local.get $j0) (i32.const 8)) (local.get $cols))))
            (local.set $i (local.get $i0))
            (block $doneI
              (loop $eachI
                (br_if $doneI (i32.ge_s (local.get $i) (local.get $iEnd)))
                (local.set $j (local.get $j0))
                (block $doneJ
                  (loop $eachJ
                    (br_if $doneJ (i32.ge_s (local.get $j) (local.get $jEnd)))
                    (f32.store
                      (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
                      (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $eachJ)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $eachI)))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 8)))
            (br $columnBlocks)))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 8)))
        (br $rowBlocks))))

  ;; One Adam step over n float32 parameters, exactly as src/optim/adam.ts's loop computes it: each
  ;; number widened to f64, the arithmetic in the loop's order in f64 (IEEE, so the same results),
  ;; each stored value rounded to f32 and read back as stored. Two elements per iteration
  ;; (f64x2), then one. vMax is 0 unless AMSGrad: vMax ← max(vMax, v) as `if (v > vMax)` (pmax).
  ;; g′ = g + l2·w; m ← β1·m + (1 − β1)·g′; v ← β2·v + (1 − β2)·g′·g′;
  ;; w ← w − stepSize·m / (√v(or vMax) / sqrtBiasCorrection2 + eps).
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $vMax i32) (param $n i32)
        (param $stepSize f64) (param $beta1 f64) (param $beta2 f64) (param $eps f64) (param $sqrtBc2 f64) (param $l2 f64)
    (local $end i32) (local $pairsEnd i32) (local $o i32)
    (local $L2 v128) (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $Step v128) (local $Eps v128) (local $Bc v128)
    (local $wv v128) (local $grad v128) (local $mf v128) (local $vf v128) (local $second v128)
    (local $ws f64) (local $gs f64) (local $ms f32) (local $vs f32) (local $secs f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $pairsEnd (i32.and (local.get $end) (i32.const -8)))
    (local.set $L2 (f64x2.splat (local.get $l2)))
    (local.set $B1 (f64x2.splat (local.get $beta1)))
    (local.set $C1 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta1))))
    (local.set $B2 (f64x2.splat (local.get $beta2)))
    (local.set $C2 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta2))))
    (local.set $Step (f64x2.splat (local.get $stepSize)))
    (local.set $Eps (f64x2.splat (local.get $eps)))
    (local.set $Bc (f64x2.splat (local.get $sqrtBc2)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $o) (local.get $pairsEnd)))
        (local.set $wv (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $o)))))
        (local.set $grad (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $o))))
                                    (f64x2.mul (local.get $L2) (local.get $wv))))
        (local.set $mf (f32x4.demote_f64x2_zero
          (f64x2.add (f64x2.mul (local.get $B1) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $o)))))
                     (f64x2.mul (local.get $C1) (local.get $grad)))))
        (v128.store64_lane 0 (i32.add (local.get $m) (local.get $o)) (local.get $mf))
        (local.set $vf (f32x4.demote_f64x2_zero
          (f64x2.add (f64x2.mul (local.get $B2) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $o)))))
                     (f64x2.mul (f64x2.mul (local.get $C2) (local.get $grad)) (local.get $grad)))))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $o)) (local.get $vf))
        (if (local.get $vMax)
          (then
            (local.set $vf (f32x4.pmax (v128.load64_zero (i32.add (local.get $vMax) (local.get $o))) (local.get $vf)))
            (v128.store64_lane 0 (i32.add (local.get $vMax) (local.get $o)) (local.get $vf))))
        (local.set $second (f64x2.promote_low_f32x4 (local.get $vf)))
        (v128.store64_lane 0 (i32.add (local.get $w) (local.get $o))
          (f32x4.demote_f64x2_zero
            (f64x2.sub (local.get $wv)
              (f64x2.div (f64x2.mul (local.get $Step) (f64x2.promote_low_f32x4 (local.get $mf)))
                         (f64x2.add (f64x2.div (f64x2.sqrt (local.get $second)) (local.get $Bc)) (local.get $Eps))))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $pairs)))
    (if (i32.lt_u (local.get $o) (local.get $end))
      (then
        (local.set $ws (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $o)))))
        (local.set $gs (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $o)))) (f64.mul (local.get $l2) (local.get $ws))))
        (local.set $ms (f32.demote_f64 (f64.add (f64.mul (local.get $beta1) (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $o)))))
                                                (f64.mul (f64.sub (f64.const 1) (local.get $beta1)) (local.get $gs)))))
        (f32.store (i32.add (local.get $m) (local.get $o)) (local.get $ms))
        (local.set $vs (f32.demote_f64 (f64.add (f64.mul (local.get $beta2) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $o)))))
                                                (f64.mul (f64.mul (f64.sub (f64.const 1) (local.get $beta2)) (local.get $gs)) (local.get $gs)))))
        (f32.store (i32.add (local.get $v) (local.get $o)) (local.get $vs))
        (if (local.get $vMax)
          (then
            (if (f32.gt (local.get $vs) (f32.load (i32.add (local.get $vMax) (local.get $o))))
              (then (f32.store (i32.add (local.get $vMax) (local.get $o)) (local.get $vs))))
            (local.set $vs (f32.load (i32.add (local.get $vMax) (local.get $o))))))
        (f32.store (i32.add (local.get $w) (local.get $o))
          (f32.demote_f64
            (f64.sub (local.get $ws)
              (f64.div (f64.mul (local.get $stepSize) (f64.promote_f32 (local.get $ms)))
                       (f64.add (f64.div (f64.sqrt (f64.promote_f32 (local.get $vs))) (local.get $sqrtBc2)) (local.get $eps))))))))
  )

  ;; out[r, c] = f(x[r, c] + bias[c]) for x [rows, cols], f = relu (when $relu) or the identity, and
  ;; z[r, c] = x[r, c] + bias[c] when $z ≠ 0. bias 0: none. f32 adds (as JavaScript's add of two
  ;; float32 numbers rounds) and relu as `v > 0 ? v : 0` (pmax: NaN and −0 give +0), so the values
  ;; are the TypeScript backend's. out may be x.
  (func (export "biasRelu") (param $x i32) (param $bias i32) (param $rows i32) (param $cols i32) (param $out i32) (param $z i32) (param $relu i32)
    (local $r i32) (local $c i32) (local $row i32) (local $vecEnd i32) (local $rowBytes i32) (local $v v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $rowBytes) (i32.const -16)))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.mul (local.get $r) (local.get $rowBytes)))
        (local.set $c (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $c) (local.get $vecEnd)))
            (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c)))))
            (if (local.get $bias) (then (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $bias) (local.get $c)))))))
            (if (local.get $z) (then (v128.store (i32.add (local.get $z) (i32.add (local.get $row) (local.get $c))) (local.get $v))))
            (if (local.get $relu) (then (local.set $v (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v)))))
            (v128.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c))) (local.get $v))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
            (local.set $s (f32.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c)))))
            (if (local.get $bias) (then (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $bias) (local.get $c)))))))
            (if (local.get $z) (then (f32.store (i32.add (local.get $z) (i32.add (local.get $row) (local.get $c))) (local.get $s))))
            (if (local.get $relu) (then (if (i32.eqz (f32.gt (local.get $s) (f32.const 0))) (then (local.set $s (f32.const 0))))))
            (f32.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c))) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))

  ;; out[i] = z[i] > 0 ? g[i] : 0 for i < n (relu's backward; out may be g).
  (func (export "reluBackward") (param $z i32) (param $g i32) (param $out i32) (param $n i32)
    (local $o i32) (local $end i32) (local $vecEnd i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $o) (local.get $vecEnd)))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (v128.and (v128.load (i32.add (local.get $g) (local.get $o)))
                    (f32x4.gt (v128.load (i32.add (local.get $z) (local.get $o))) (v128.const f32x4 0 0 0 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select (f32.load (i32.add (local.get $g) (local.get $o))) (f32.const 0)
                  (f32.gt (f32.load (i32.add (local.get $z) (local.get $o))) (f32.const 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  ;; out[o·inner + i] += Σ_j x[(o·length + j)·inner + i], adding row after row as the TypeScript
  ;; backend does (so the same float32 sums), four values of i at a time.
  (func (export "sumRows") (param $x i32) (param $outer i32) (param $length i32) (param $inner i32) (param $out i32)
    (local $o i32) (local $j i32) (local $i i32) (local $rowBytes i32) (local $vecEnd i32) (local $src i32) (local $dst i32)
    (local.set $rowBytes (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $rowBytes) (i32.const -16)))
    (block $outerDone
      (loop $outerLoop
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $rowsDone
          (loop $rowsLoop
            (br_if $rowsDone (i32.ge_u (local.get $j) (local.get $length)))
            (local.set $src (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $o) (local.get $length)) (local.get $j)) (local.get $rowBytes))))
            (local.set $i (i32.const 0))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_u (local.get $i) (local.get $vecEnd)))
                (v128.store (i32.add (local.get $dst) (local.get $i))
                  (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
                (f32.store (i32.add (local.get $dst) (local.get $i))
                  (f32.add (f32.load (i32.add (local.get $dst) (local.get $i))) (f32.load (i32.add (local.get $src) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $tail)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $rowsLoop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerLoop))))

  ;; out[j] = (accumulate ? out[j] : 0) + Σ_{p<k} x[p]·w[j·k + p] for j < n: one row of C = x·Wᵀ
  ;; with W stored [n, k] (a layer's forward pass for one sample), read in place, without the
  ;; transpose $tile needs. Four f32x4 accumulators over p, then a tail of four and of one.
  (func (export "gemvT") (param $x i32) (param $w i32) (param $out i32) (param $k i32) (param $n i32) (param $accumulate i32)
    (local $j i32) (local $p i32) (local $row i32) (local $kBytes i32) (local $end16 i32) (local $end4 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sum f32)
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $end16 (i32.and (local.get $kBytes) (i32.const -64)))
    (local.set $end4 (i32.and (local.get $kBytes) (i32.const -16)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $row (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $kBytes))))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (block $d16
          (loop $l16
            (br_if $d16 (i32.ge_u (local.get $p) (local.get $end16)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $p))) (v128.load (i32.add (local.get $row) (local.get $p))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $p))) (v128.load offset=16 (i32.add (local.get $row) (local.get $p))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (i32.add (local.get $x) (local.get $p))) (v128.load offset=32 (i32.add (local.get $row) (local.get $p))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (i32.add (local.get $x) (local.get $p))) (v128.load offset=48 (i32.add (local.get $row) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (br $l16)))
        (block $d4
          (loop $l4
            (br_if $d4 (i32.ge_u (local.get $p) (local.get $end4)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $p))) (v128.load (i32.add (local.get $row) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $l4)))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $sum (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                                 (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $p) (local.get $kBytes)))
            (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (i32.add (local.get $x) (local.get $p))) (f32.load (i32.add (local.get $row) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $l1)))
        (if (local.get $accumulate)
          (then (local.set $sum (f32.add (f32.load (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))) (local.get $sum)))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))
)
