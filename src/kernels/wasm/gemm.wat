;; The WebAssembly SIMD matrix-product kernels of the wasm backend (src/kernels/wasm/gemm.ts copies
;; the operands into this module's memory and drives them). Assembled by scripts/build-wasm.mjs
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
)
