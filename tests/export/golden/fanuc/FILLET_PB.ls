/PROG  FILLET_PB
/ATTR
OWNER		= MNEDITOR;
COMMENT		= "weldcraft";
PROG_SIZE	= 0;
CREATE		= DATE 25-01-01  TIME 00:00:00;
MODIFIED	= DATE 25-01-01  TIME 00:00:00;
FILE_NAME	= ;
VERSION		= 0;
LINE_COUNT	= 14;
MEMORY_SIZE	= 0;
PROTECT		= READ_WRITE;
TCD:  STACK_SIZE	= 0,
      TASK_PRIORITY	= 50,
      TIME_SLICE	= 0,
      BUSY_LAMP_OFF	= 0,
      ABORT_REQUEST	= 0,
      PAUSE_REQUEST	= 0;
DEFAULT_GROUP	= 1,*,*,*,*;
CONTROL_CODE	= 00000000 00000000;
/APPL
  ARC : TRUE ;
  ARC Welding Equipment : 1,*,*,*,*;
/MN
   1:  !weldcraft 0.1.0 ;
   2:  UFRAME_NUM=0 ;
   3:  UTOOL_NUM=1 ;
   4:J P[1] 20% FINE ;
   5:L P[2] 498cm/min CNT100 ;
   6:L P[3] 125cm/min FINE ;
   7:  !WS1 8.000 25.000 6.000 ;
   8:L P[4] 12cm/min FINE
    :  Arc Start[1] ;
   9:  Weave Sine[1.496Hz,1.503mm,0.105s,0.098s] ;
  10:L P[5] WELD_SPEED FINE
    :  Arc End[1] ;
  11:  Weave End ;
  12:L P[6] 18cm/min CNT100 ;
  13:L P[7] 187cm/min CNT100 ;
  14:L P[8] 104mm/sec FINE ;
/POS
P[1]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   766.436  mm,	Y =   -30.838  mm,	Z =   413.564  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[2]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   836.073  mm,	Y =   -13.473  mm,	Z =   263.927  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[3]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   849.945  mm,	Y =   -10.014  mm,	Z =   250.055  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[4]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   849.987  mm,	Y =   -10.000  mm,	Z =   249.987  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[5]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   849.989  mm,	Y =    10.000  mm,	Z =   249.989  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[6]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   849.918  mm,	Y =     9.979  mm,	Z =   250.082  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[7]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   829.109  mm,	Y =     4.791  mm,	Z =   270.891  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
P[8]{
   GP1:
	UF : 0, UT : 1,		CONFIG : 'N U T, 0, 0, 0',
	X =   766.436  mm,	Y =   -10.838  mm,	Z =   413.564  mm,
	W =   170.000 deg,	P =    45.000 deg,	R =  -180.000 deg
};
/END
