MODULE fillet_pb_nominal
  ! program fillet_pb_nominal for ABB RAPID
  ! weldcraft 0.1.0
  ! source: weldcraft.regress.record_program
  ! 2 points, 1 weld section(s), 23.077 s
  PERS tooldata tWeldGun := [TRUE,[[147.078,0.000,337.078],[0.923880,0.000000,0.382683,0.000000]],[1.500,[0.000,0.000,150.000],[1,0,0,0],0,0,0]];
  PERS wobjdata wobjWeld := [FALSE,TRUE,"",[[0.000,0.000,0.000],[1.000000,0.000000,0.000000,0.000000]],[[0,0,0],[1,0,0,0]]];
  CONST robtarget p0 := [[789.555,-77.605,468.445],[0.234091,-0.848229,0.358734,-0.311479],[-1,0,1,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  CONST jointtarget j0 := [[-26.3279,-8.2823,35.9945,40.1054,80.0513,170.0630],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];
  PERS seamdata seam1 := [0,0.5,[0,0,0,0,0,0,0,0,0],0,0,0,0,0,[0,0,0,0,0,0,0,0,0],0,0,[0,0,0,0,0,0,0,0,0],0,0,[0,0,0,0,0,0,0,0,0],0.5];
  PERS welddata weld1 := [6.500,0,[1,0,25.000,8.000,0,0,0,0,0],[0,0,0,0,0,0,0,0,0]];
  CONST robtarget p1 := [[789.555,72.395,468.445],[0.234091,-0.848229,0.358734,-0.311479],[-1,0,1,0],[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]];

  PROC main()
    ConfJ \On;
    ConfL \Off;
    MoveAbsJ j0, v200, fine, tWeldGun\WObj:=wobjWeld;
    ArcLStart p0, v100, seam1, weld1, fine, tWeldGun\WObj:=wobjWeld;
    ArcLEnd p1, v200, seam1, weld1, fine, tWeldGun\WObj:=wobjWeld;
  ENDPROC
ENDMODULE
