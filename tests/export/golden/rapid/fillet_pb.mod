MODULE fillet_pb
  ! program fillet_pb for ABB RAPID
  ! weldcraft 0.1.0
  ! source: sample
  ! 8 points, 1 weld section(s), 8.833 s
  PERS tooldata tWeldGun := [TRUE,[[0.000,45.000,380.000],[0.981627,0.190809,0.000000,0.000000]],[1.500,[0.000,0.000,150.000],[1,0,0,0],0,0,0]];
  PERS wobjdata wobjWeld := [FALSE,TRUE,"",[[0.000,0.000,0.000],[1.000000,0.000000,0.000000,0.000000]],[[0,0,0],[1,0,0,0]]];
  CONST robtarget p0 := [[766.436,-30.838,413.564],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST jointtarget j0 := [[-33.1304,-9.9079,53.7239,69.6903,55.3516,85.6579],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p1 := [[836.073,-13.473,263.927],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p2 := [[849.945,-10.014,250.055],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p3 := [[849.987,-10.000,249.987],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  PERS seamdata seam1 := [0,0.5,[0,0,0,0,0,0,0,0,0],0,0,0,0,0,[0,0,0,0,0,0,0,0,0],0,0,[0,0,0,0,0,0,0,0,0],0,0,[0,0,0,0,0,0,0,0,0],0.5];
  PERS welddata weld1 := [6.000,0,[1,0,25.000,8.000,0,0,0,0,0],[0,0,0,0,0,0,0,0,0]];
  PERS weavedata weave1 := [1,0,4.011,3.006,0,0.589,0.000,0.632,0,0,0,0,0,0,0];
  CONST robtarget p4 := [[849.989,10.000,249.989],[0.381227,-0.033353,0.920364,0.080521],[-1,1,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p5 := [[849.918,9.979,250.082],[0.381227,-0.033353,0.920364,0.080521],[-1,1,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p6 := [[829.109,4.791,270.891],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST robtarget p7 := [[766.436,-10.838,413.564],[0.381227,-0.033353,0.920364,0.080521],[-1,0,0,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];

  PROC main()
    ConfJ \On;
    ConfL \Off;
    MoveAbsJ j0, v200, fine, tWeldGun\WObj:=wobjWeld;
    MoveL p1, v200\T:=2.000, z1, tWeldGun\WObj:=wobjWeld;
    MoveL p2, v200\T:=0.960, fine, tWeldGun\WObj:=wobjWeld;
    ArcLStart p3, [2.028,0.100,5000,1000], seam1, weld1\Weave:=weave1, fine, tWeldGun\WObj:=wobjWeld;
    ArcLEnd p4, v200, seam1, weld1\Weave:=weave1, fine, tWeldGun\WObj:=wobjWeld;
    MoveL p5, v200\T:=0.040, z1, tWeldGun\WObj:=wobjWeld;
    MoveL p6, v200\T:=0.960, z1, tWeldGun\WObj:=wobjWeld;
    MoveL p7, v200\T:=1.500, fine, tWeldGun\WObj:=wobjWeld;
  ENDPROC
ENDMODULE
