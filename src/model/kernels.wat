;; The fast path's two WebAssembly SIMD kernels (src/model/simdKernels.ts loads them), assembled
;; at build time by src/model/assembleKernels.ts with wabt. Float32, four lanes at a time, as
;; tfjs computes; widths are multiples of 4; pointers are byte offsets into the imported memory.
(module
  (import "env" "memory" (memory 1))

  ;; rows(idx, n, kernel, bias, h, width): h = bias + the sum of the kernel rows listed in
  ;; idx[0..n) (the first Dense layer over a binary bag of words).
  (func (export "rows") (param $idx i32) (param $n i32) (param $kernel i32) (param $bias i32) (param $h i32) (param $width i32)
    (local $j i32) (local $row i32) (local $i i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $width) (i32.const 2)))
    (memory.copy (local.get $h) (local.get $bias) (local.get $bytes))
    (local.set $j (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $n)))
        ;; row = kernel + idx[j] * bytes
        (local.set $row
          (i32.add (local.get $kernel)
            (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $bytes))))
        (local.set $i (i32.const 0))
        (block $lanes_done
          (loop $lanes
            (br_if $lanes_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (v128.store (i32.add (local.get $h) (local.get $i))
              (f32x4.add
                (v128.load (i32.add (local.get $h) (local.get $i)))
                (v128.load (i32.add (local.get $row) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $lanes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))

  ;; rowsWeighted(idx, vals, n, kernel, bias, h, width): h = bias + the sum of vals[j] times
  ;; kernel row idx[j] (counts, tf-idf, a sparse tensor row).
  (func (export "rowsWeighted") (param $idx i32) (param $vals i32) (param $n i32) (param $kernel i32) (param $bias i32) (param $h i32) (param $width i32)
    (local $j i32) (local $row i32) (local $i i32) (local $bytes i32) (local $w v128)
    (local.set $bytes (i32.shl (local.get $width) (i32.const 2)))
    (memory.copy (local.get $h) (local.get $bias) (local.get $bytes))
    (local.set $j (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $n)))
        ;; row = kernel + idx[j] * bytes; w = splat(vals[j])
        (local.set $row
          (i32.add (local.get $kernel)
            (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $bytes))))
        (local.set $w (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $i (i32.const 0))
        (block $lanes_done
          (loop $lanes
            (br_if $lanes_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (v128.store (i32.add (local.get $h) (local.get $i))
              (f32x4.add
                (v128.load (i32.add (local.get $h) (local.get $i)))
                (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $i))) (local.get $w))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $lanes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))

  ;; dense(x, inDim, kernelT, bias, out, outDim): out = bias + x . kernel, the kernel stored
  ;; transposed (outDim x inDim) so each output is one dot product of f32x4 lanes.
  (func (export "dense") (param $x i32) (param $inDim i32) (param $kernelT i32) (param $bias i32) (param $out i32) (param $outDim i32)
    (local $k i32) (local $i i32) (local $acc v128) (local $row i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $inDim) (i32.const 2)))
    (local.set $k (i32.const 0))
    (block $outs_done
      (loop $outs
        (br_if $outs_done (i32.ge_u (local.get $k) (local.get $outDim)))
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $row (i32.add (local.get $kernelT) (i32.mul (local.get $k) (local.get $bytes))))
        (local.set $i (i32.const 0))
        (block $lanes_done
          (loop $lanes
            (br_if $lanes_done (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load (i32.add (local.get $x) (local.get $i)))
                  (v128.load (i32.add (local.get $row) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $lanes)))
        ;; out[k] = bias[k] + ((l0 + l1) + (l2 + l3)): the lane order tfjs's sums round like
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (f32.add
            (f32.load (i32.add (local.get $bias) (i32.shl (local.get $k) (i32.const 2))))
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $outs)))))
