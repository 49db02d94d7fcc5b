#include "textflag.h"

// func add4AVX(dst, r0, r1, r2, r3 *float32, n int)
TEXT ·add4AVX(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ r0+8(FP), AX
	MOVQ r1+16(FP), BX
	MOVQ r2+24(FP), CX
	MOVQ r3+32(FP), DX
	MOVQ n+40(FP), SI

loop16:
	CMPQ    SI, $16
	JL      loop8
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y2
	VADDPS  (BX), Y0, Y0
	VADDPS  32(BX), Y2, Y2
	VMOVUPS (CX), Y1
	VMOVUPS 32(CX), Y3
	VADDPS  (DX), Y1, Y1
	VADDPS  32(DX), Y3, Y3
	VADDPS  Y1, Y0, Y0
	VADDPS  Y3, Y2, Y2
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y2, Y2
	VMOVUPS Y0, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, AX
	ADDQ    $64, BX
	ADDQ    $64, CX
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, SI
	JMP     loop16

loop8:
	CMPQ    SI, $8
	JL      done
	VMOVUPS (AX), Y0
	VADDPS  (BX), Y0, Y0
	VMOVUPS (CX), Y1
	VADDPS  (DX), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, AX
	ADDQ    $32, BX
	ADDQ    $32, CX
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, SI
	JMP     loop8

done:
	VZEROUPPER
	RET

// func axpyAVX(y, x *float32, alpha float32, n int)
TEXT ·axpyAVX(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSS alpha+16(FP), Y4
	MOVQ         n+24(FP), CX

loop16:
	CMPQ    CX, $16
	JL      loop8
	VMULPS  (SI), Y4, Y0
	VMULPS  32(SI), Y4, Y1
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     loop16

loop8:
	CMPQ    CX, $8
	JL      done
	VMULPS  (SI), Y4, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     loop8

done:
	VZEROUPPER
	RET
