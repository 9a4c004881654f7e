import Testing
@testable import Tensors

/// A tensor to print and numpy's `str()` of the same array (bool spelled `true`/`false`).
/// Expected texts were produced by numpy 2.4.6 from the Python expression in the comment above each case, e.g.
/// `python3 -c "import numpy as np; print(repr(str(np.array([0.1, 0.2, 0.3]))))"`.
struct PrintCase: Sendable, CustomTestStringConvertible {
    let make: @Sendable () throws -> Tensor
    let expected: String
    init(_ make: @escaping @Sendable () throws -> Tensor, _ expected: String) {
        self.make = make
        self.expected = expected
    }
    var testDescription: String { expected }
}

@Suite struct PrintingTests {
    static let arrays: [PrintCase] = [
        // np.array([[1., 2.], [3., 4.]])
        PrintCase({ try Tensor([[1.0, 2], [3, 4]]) },
                  "[[1. 2.]\n [3. 4.]]"),
        // np.array([0.1, 0.2, 0.3])
        PrintCase({ Tensor([0.1, 0.2, 0.3]) },
                  "[0.1 0.2 0.3]"),
        // np.array([1/3, 2/3, 1000.])
        PrintCase({ Tensor([1.0 / 3, 2.0 / 3, 1000]) },
                  "[3.33333333e-01 6.66666667e-01 1.00000000e+03]"),
        // np.array([1e-10, 1.])
        PrintCase({ Tensor([1e-10, 1.0]) },
                  "[1.e-10 1.e+00]"),
        // np.array([1e-100, 1.])
        PrintCase({ Tensor([1e-100, 1.0]) },
                  "[1.e-100 1.e+000]"),
        // np.array([1.5e300, 1.])
        PrintCase({ Tensor([1.5e300, 1.0]) },
                  "[1.5e+300 1.0e+000]"),
        // np.array([-1.5e-5, 2.])
        PrintCase({ Tensor([-1.5e-5, 2.0]) },
                  "[-1.5e-05  2.0e+00]"),
        // np.array([1e8, 1.])
        PrintCase({ Tensor([1e8, 1.0]) },
                  "[1.e+08 1.e+00]"),
        // np.array([12345678., 23456789.])
        PrintCase({ Tensor([12345678.0, 23456789]) },
                  "[12345678. 23456789.]"),
        // np.array([1/512, 1.])
        PrintCase({ Tensor([1.0 / 512, 1.0]) },
                  "[0.00195312 1.        ]"),
        // np.array([0.999999999, 0.5])
        PrintCase({ Tensor([0.999999999, 0.5]) },
                  "[1.  0.5]"),
        // np.array([np.nan, 1.5, -np.inf])
        PrintCase({ Tensor([Double.nan, 1.5, -Double.infinity]) },
                  "[ nan  1.5 -inf]"),
        // np.array([np.nan, 1e-10])
        PrintCase({ Tensor([Double.nan, 1e-10]) },
                  "[   nan 1.e-10]"),
        // np.array([np.nan, 1000.5])
        PrintCase({ Tensor([Double.nan, 1000.5]) },
                  "[   nan 1000.5]"),
        // np.array([np.inf, -np.inf])
        PrintCase({ Tensor([Double.infinity, -Double.infinity]) },
                  "[ inf -inf]"),
        // np.array([np.nan])
        PrintCase({ Tensor([Double.nan]) },
                  "[nan]"),
        // np.array([-0.0])
        PrintCase({ Tensor([-0.0]) },
                  "[-0.]"),
        // np.array([0., 0.])
        PrintCase({ Tensor([0.0, 0.0]) },
                  "[0. 0.]"),
        // np.array([-1., 0.5, 22.25])
        PrintCase({ Tensor([-1.0, 0.5, 22.25]) },
                  "[-1.    0.5  22.25]"),
        // np.arange(100.)
        PrintCase({ try Tensor.arange(100, dtype: .float64) },
                  "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29. 30. 31. 32. 33. 34. 35.\n 36. 37. 38. 39. 40. 41. 42. 43. 44. 45. 46. 47. 48. 49. 50. 51. 52. 53.\n 54. 55. 56. 57. 58. 59. 60. 61. 62. 63. 64. 65. 66. 67. 68. 69. 70. 71.\n 72. 73. 74. 75. 76. 77. 78. 79. 80. 81. 82. 83. 84. 85. 86. 87. 88. 89.\n 90. 91. 92. 93. 94. 95. 96. 97. 98. 99.]"),
        // np.arange(24.).reshape(2, 3, 4)
        PrintCase({ try Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init)) },
                  "[[[ 0.  1.  2.  3.]\n  [ 4.  5.  6.  7.]\n  [ 8.  9. 10. 11.]]\n\n [[12. 13. 14. 15.]\n  [16. 17. 18. 19.]\n  [20. 21. 22. 23.]]]"),
        // np.arange(6.).reshape(2, 1, 1, 3)
        PrintCase({ try Tensor(shape: [2, 1, 1, 3], scalars: (0..<6).map(Double.init)) },
                  "[[[[0. 1. 2.]]]\n\n\n [[[3. 4. 5.]]]]"),
        // np.array([[[5.]]])
        PrintCase({ try Tensor(shape: [1, 1, 1], scalars: [5.0]) },
                  "[[[5.]]]"),
        // np.arange(2000).reshape(2, 1000)
        PrintCase({ try Tensor(shape: [2, 1000], scalars: (0..<2000).map(Int64.init)) },
                  "[[   0    1    2 ...  997  998  999]\n [1000 1001 1002 ... 1997 1998 1999]]"),
        // np.arange(2000).reshape(10, 10, 20)
        PrintCase({ try Tensor(shape: [10, 10, 20], scalars: (0..<2000).map(Int64.init)) },
                  "[[[   0    1    2 ...   17   18   19]\n  [  20   21   22 ...   37   38   39]\n  [  40   41   42 ...   57   58   59]\n  ...\n  [ 140  141  142 ...  157  158  159]\n  [ 160  161  162 ...  177  178  179]\n  [ 180  181  182 ...  197  198  199]]\n\n [[ 200  201  202 ...  217  218  219]\n  [ 220  221  222 ...  237  238  239]\n  [ 240  241  242 ...  257  258  259]\n  ...\n  [ 340  341  342 ...  357  358  359]\n  [ 360  361  362 ...  377  378  379]\n  [ 380  381  382 ...  397  398  399]]\n\n [[ 400  401  402 ...  417  418  419]\n  [ 420  421  422 ...  437  438  439]\n  [ 440  441  442 ...  457  458  459]\n  ...\n  [ 540  541  542 ...  557  558  559]\n  [ 560  561  562 ...  577  578  579]\n  [ 580  581  582 ...  597  598  599]]\n\n ...\n\n [[1400 1401 1402 ... 1417 1418 1419]\n  [1420 1421 1422 ... 1437 1438 1439]\n  [1440 1441 1442 ... 1457 1458 1459]\n  ...\n  [1540 1541 1542 ... 1557 1558 1559]\n  [1560 1561 1562 ... 1577 1578 1579]\n  [1580 1581 1582 ... 1597 1598 1599]]\n\n [[1600 1601 1602 ... 1617 1618 1619]\n  [1620 1621 1622 ... 1637 1638 1639]\n  [1640 1641 1642 ... 1657 1658 1659]\n  ...\n  [1740 1741 1742 ... 1757 1758 1759]\n  [1760 1761 1762 ... 1777 1778 1779]\n  [1780 1781 1782 ... 1797 1798 1799]]\n\n [[1800 1801 1802 ... 1817 1818 1819]\n  [1820 1821 1822 ... 1837 1838 1839]\n  [1840 1841 1842 ... 1857 1858 1859]\n  ...\n  [1940 1941 1942 ... 1957 1958 1959]\n  [1960 1961 1962 ... 1977 1978 1979]\n  [1980 1981 1982 ... 1997 1998 1999]]]"),
        // np.arange(1001.) / 7
        PrintCase({ Tensor((0...1000).map { Double($0) / 7 }) },
                  "[0.00000000e+00 1.42857143e-01 2.85714286e-01 ... 1.42571429e+02\n 1.42714286e+02 1.42857143e+02]"),
        // (np.arange(3000.) / 7).reshape(3, 1000)
        PrintCase({ try Tensor(shape: [3, 1000], scalars: (0..<3000).map { Double($0) / 7 }) },
                  "[[0.00000000e+00 1.42857143e-01 2.85714286e-01 ... 1.42428571e+02\n  1.42571429e+02 1.42714286e+02]\n [1.42857143e+02 1.43000000e+02 1.43142857e+02 ... 2.85285714e+02\n  2.85428571e+02 2.85571429e+02]\n [2.85714286e+02 2.85857143e+02 2.86000000e+02 ... 4.28142857e+02\n  4.28285714e+02 4.28428571e+02]]"),
        // (np.arange(3000.) / 7 - 200).reshape(1000, 3)
        PrintCase({ try Tensor(shape: [1000, 3], scalars: (0..<3000).map { Double($0) / 7 - 200 }) },
                  "[[-200.         -199.85714286 -199.71428571]\n [-199.57142857 -199.42857143 -199.28571429]\n [-199.14285714 -199.         -198.85714286]\n ...\n [ 227.28571429  227.42857143  227.57142857]\n [ 227.71428571  227.85714286  228.        ]\n [ 228.14285714  228.28571429  228.42857143]]"),
        // np.arange(30).reshape(2, 15) * 1000000 - 7000000
        PrintCase({ try Tensor(shape: [2, 15], scalars: (0..<30).map { Int64($0) * 1_000_000 - 7_000_000 }) },
                  "[[-7000000 -6000000 -5000000 -4000000 -3000000 -2000000 -1000000        0\n   1000000  2000000  3000000  4000000  5000000  6000000  7000000]\n [ 8000000  9000000 10000000 11000000 12000000 13000000 14000000 15000000\n  16000000 17000000 18000000 19000000 20000000 21000000 22000000]]"),
        // np.array([[1, -22], [333, 4]])
        PrintCase({ try Tensor([[Int64(1), -22], [333, 4]]) },
                  "[[  1 -22]\n [333   4]]"),
        // np.array([-9223372036854775808, 9223372036854775807])
        PrintCase({ Tensor([Int64.min, Int64.max]) },
                  "[-9223372036854775808  9223372036854775807]"),
        // np.array([0.1, 1/3], dtype=np.float32)
        PrintCase({ Tensor([Float(0.1), Float(1.0 / 3)]) },
                  "[0.1        0.33333334]"),
        // np.array([1e6, 1.5], dtype=np.float32)
        PrintCase({ Tensor([Float(1e6), 1.5]) },
                  "[1.0e+06 1.5e+00]"),
        // np.array([123456.7, 234567.8], dtype=np.float32)
        PrintCase({ Tensor([Float(123456.7), 234567.8]) },
                  "[123456.7 234567.8]"),
        // np.array([0.5, 500.0001], dtype=np.float32)
        PrintCase({ Tensor([Float(0.5), 500.0001]) },
                  "[5.000000e-01 5.000001e+02]"),
        // np.arange(12, dtype=np.float32).reshape(3, 4) / 3
        PrintCase({ try Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 3 }) },
                  "[[0.         0.33333334 0.6666667  1.        ]\n [1.3333334  1.6666666  2.         2.3333333 ]\n [2.6666667  3.         3.3333333  3.6666667 ]]"),
        // np.array([1.2573022109339328e-07, -1.321048632913019e-07, 6.40422650443282e-07, 1.049001171530397e-07, -5.356693731611109e-07, 3.615950549094847e-07, 1.3040000451301373e-06, 9.470809631292422e-07, -7.037352358069926e-07, -1.2654214710460524e-06, -6.232744625373521e-07, 4.13259793472436e-08]).reshape(3, 4)  # rng normal × 1e-6
        PrintCase({ try Tensor(shape: [3, 4], scalars: [1.2573022109339328e-07, -1.321048632913019e-07, 6.40422650443282e-07, 1.049001171530397e-07, -5.356693731611109e-07, 3.615950549094847e-07, 1.3040000451301373e-06, 9.470809631292422e-07, -7.037352358069926e-07, -1.2654214710460524e-06, -6.232744625373521e-07, 4.13259793472436e-08]) },
                  "[[ 1.25730221e-07 -1.32104863e-07  6.40422650e-07  1.04900117e-07]\n [-5.35669373e-07  3.61595055e-07  1.30400005e-06  9.47080963e-07]\n [-7.03735236e-07 -1.26542147e-06 -6.23274463e-07  4.13259793e-08]]"),
        // np.array([-0.0023250307746388345, -0.00021879166393254574, -0.0012459109472530653, -0.0007322673547034516, -0.0005442589828573099, -0.00031630015636915454, 0.00041163053637413284, 0.0010425133694426775, -0.00012853466294403428, 0.0013664634705496859, -0.0006651946734866135, 0.00035151007009301974]).reshape(3, 4)  # rng normal × 1e-3
        PrintCase({ try Tensor(shape: [3, 4], scalars: [-0.0023250307746388345, -0.00021879166393254574, -0.0012459109472530653, -0.0007322673547034516, -0.0005442589828573099, -0.00031630015636915454, 0.00041163053637413284, 0.0010425133694426775, -0.00012853466294403428, 0.0013664634705496859, -0.0006651946734866135, 0.00035151007009301974]) },
                  "[[-0.00232503 -0.00021879 -0.00124591 -0.00073227]\n [-0.00054426 -0.0003163   0.00041163  0.00104251]\n [-0.00012853  0.00136646 -0.00066519  0.00035151]]"),
        // np.array([0.9034701816518086, 0.09401229776087457, -0.7434992493538084, -0.9217253762584194, -0.45772582566733916, 0.2201951234700494, -1.009618183538736, -0.20917557487171307, -0.15922500991447772, 0.5408455846858077, 0.2146591225063409, 0.3553727090399214]).reshape(3, 4)  # rng normal × 1e0
        PrintCase({ try Tensor(shape: [3, 4], scalars: [0.9034701816518086, 0.09401229776087457, -0.7434992493538084, -0.9217253762584194, -0.45772582566733916, 0.2201951234700494, -1.009618183538736, -0.20917557487171307, -0.15922500991447772, 0.5408455846858077, 0.2146591225063409, 0.3553727090399214]) },
                  "[[ 0.90347018  0.0940123  -0.74349925 -0.92172538]\n [-0.45772583  0.22019512 -1.00961818 -0.20917557]\n [-0.15922501  0.54084558  0.21465912  0.35537271]]"),
        // np.array([-653.8286094183394, -129.61363369276947, 783.9754700613295, 1493.4311452207608, -1259.0655321041202, 1513.9237747390625, 1345.8754237823046, 781.3114007004275, 264.4556303293035, -313.9228145364278, 1458.0206835369586, 1960.2583164499647]).reshape(3, 4)  # rng normal × 1e3
        PrintCase({ try Tensor(shape: [3, 4], scalars: [-653.8286094183394, -129.61363369276947, 783.9754700613295, 1493.4311452207608, -1259.0655321041202, 1513.9237747390625, 1345.8754237823046, 781.3114007004275, 264.4556303293035, -313.9228145364278, 1458.0206835369586, 1960.2583164499647]) },
                  "[[ -653.82860942  -129.61363369   783.97547006  1493.43114522]\n [-1259.0655321   1513.92377474  1345.87542378   781.3114007 ]\n [  264.45563033  -313.92281454  1458.02068354  1960.25831645]]"),
        // np.array([180163.48698661252, 131510.376473437, 35738.041065895595, -120831.86322821715, -445.41331200832286, 65647.49350763358, -128836.14637495544, 39512.20601820082, 42986.369482223, 69604.27239628685, -118411.7966757189, -66170.2572039035]).reshape(3, 4)  # rng normal × 1e5
        PrintCase({ try Tensor(shape: [3, 4], scalars: [180163.48698661252, 131510.376473437, 35738.041065895595, -120831.86322821715, -445.41331200832286, 65647.49350763358, -128836.14637495544, 39512.20601820082, 42986.369482223, 69604.27239628685, -118411.7966757189, -66170.2572039035]) },
                  "[[ 180163.48698661  131510.37647344   35738.0410659  -120831.86322822]\n [   -445.41331201   65647.49350763 -128836.14637496   39512.2060182 ]\n [  42986.36948222   69604.27239629 -118411.79667572  -66170.2572039 ]]"),
        // np.array([-436435247.14322126, -1169801907.772864, 1739367877.1301339, -495910728.4421519, 328969629.4602021, -258572545.473924, 1583472878.802122, 1320360987.081839, 633352622.8249152, -2203509880.646651, 52028974.2598865, 683686190.7765344]).reshape(3, 4)  # rng normal × 1e9
        PrintCase({ try Tensor(shape: [3, 4], scalars: [-436435247.14322126, -1169801907.772864, 1739367877.1301339, -495910728.4421519, 328969629.4602021, -258572545.473924, 1583472878.802122, 1320360987.081839, 633352622.8249152, -2203509880.646651, 52028974.2598865, 683686190.7765344]) },
                  "[[-4.36435247e+08 -1.16980191e+09  1.73936788e+09 -4.95910728e+08]\n [ 3.28969629e+08 -2.58572545e+08  1.58347288e+09  1.32036099e+09]\n [ 6.33352623e+08 -2.20350988e+09  5.20289743e+07  6.83686191e+08]]"),
        // np.array([1.0039615631103516, -0.6179070472717285, 1.8220113515853882, -1.3204309940338135, -0.6615280508995056, 0.9350500106811523], dtype=np.float32).reshape(2, 3)
        PrintCase({ try Tensor(shape: [2, 3], scalars: [1.0039615631103516, -0.6179070472717285, 1.8220113515853882, -1.3204309940338135, -0.6615280508995056, 0.9350500106811523].map { Float($0) }) },
                  "[[ 1.0039616  -0.61790705  1.8220114 ]\n [-1.320431   -0.66152805  0.93505   ]]"),
        // np.array([0.049054613825311656, 2.002392583645255, 0.18851919251246557, -0.6331940901922267, -0.37756350523280824, -1.0911461176191954, -1.277680166386608, 0.6304114907682319, 0.5811658124128057, 1.294558819441117, -0.7546057912599311, 1.689107452443673, -0.2873877078086663, 1.5744082788445868, -0.4327858471825968, -0.735483292342275, 0.24978537155866684, 1.0314530848694723, 0.16100957671534466, -0.5855288241233366, -1.341219714076669, -1.401520214917428, 0.5026828498748657, 0.989713033285805, -0.1642945926252907, -1.0743648582284346, 0.8730421526217066, -1.2803939447145731, -0.7130680950592722, 0.6210178535400985, -2.2501411735745918, 0.38636959756630584, -0.5816408364095031, 0.10927969747781388, -0.07570152622082311, 0.20211439504395987]).reshape(4, 9)  # wraps
        PrintCase({ try Tensor(shape: [4, 9], scalars: [0.049054613825311656, 2.002392583645255, 0.18851919251246557, -0.6331940901922267, -0.37756350523280824, -1.0911461176191954, -1.277680166386608, 0.6304114907682319, 0.5811658124128057, 1.294558819441117, -0.7546057912599311, 1.689107452443673, -0.2873877078086663, 1.5744082788445868, -0.4327858471825968, -0.735483292342275, 0.24978537155866684, 1.0314530848694723, 0.16100957671534466, -0.5855288241233366, -1.341219714076669, -1.401520214917428, 0.5026828498748657, 0.989713033285805, -0.1642945926252907, -1.0743648582284346, 0.8730421526217066, -1.2803939447145731, -0.7130680950592722, 0.6210178535400985, -2.2501411735745918, 0.38636959756630584, -0.5816408364095031, 0.10927969747781388, -0.07570152622082311, 0.20211439504395987]) },
                  "[[ 0.04905461  2.00239258  0.18851919 -0.63319409 -0.37756351 -1.09114612\n  -1.27768017  0.63041149  0.58116581]\n [ 1.29455882 -0.75460579  1.68910745 -0.28738771  1.57440828 -0.43278585\n  -0.73548329  0.24978537  1.03145308]\n [ 0.16100958 -0.58552882 -1.34121971 -1.40152021  0.50268285  0.98971303\n  -0.16429459 -1.07436486  0.87304215]\n [-1.28039394 -0.7130681   0.62101785 -2.25014117  0.3863696  -0.58164084\n   0.1092797  -0.07570153  0.2021144 ]]"),
        // np.array([True, False])  (True/False spelled true/false)
        PrintCase({ Tensor([true, false]) },
                  "[ true false]"),
        // np.array([[True], [True]])  (True/False spelled true/false)
        PrintCase({ try Tensor([[true], [true]]) },
                  "[[ true]\n [ true]]"),
        // np.arange(1200).reshape(40, 30) % 3 == 0  (True/False spelled true/false)
        PrintCase({ try Tensor(shape: [40, 30], scalars: (0..<1200).map { $0 % 3 == 0 }) },
                  "[[ true false false ...  true false false]\n [ true false false ...  true false false]\n [ true false false ...  true false false]\n ...\n [ true false false ...  true false false]\n [ true false false ...  true false false]\n [ true false false ...  true false false]]"),
        // Mantissas shorter than the column are completed with digits of the exact value, not zeros:
        // np.array([9.3640267e-08, 1.5047690e-06, -1.0043625e-06], dtype=np.float32)
        PrintCase({ Tensor([Float(9.3640267e-08), 1.5047690e-06, -1.0043625e-06]) },
                  "[ 9.3640267e-08  1.5047690e-06 -1.0043625e-06]"),
        // np.array([1.9370530e-02, 6.9817207e+03, 8.8741787e-02], dtype=np.float32)
        PrintCase({ Tensor([Float(1.9370530e-02), 6.9817207e+03, 8.8741787e-02]) },
                  "[1.9370530e-02 6.9817207e+03 8.8741787e-02]"),
    ]

    @Test(arguments: arrays)
    func matchesNumpy(printCase: PrintCase) throws {
        #expect(try printCase.make().description == printCase.expected)
    }

    static let scalars: [PrintCase] = [
        // str(np.array(np.float64(1.5)))
        PrintCase({ Tensor(scalar: 1.5) }, "1.5"),
        // str(np.array(np.float64(1.0)))
        PrintCase({ Tensor(scalar: 1.0) }, "1.0"),
        // str(np.array(np.float64(1e-5)))
        PrintCase({ Tensor(scalar: 1e-5) }, "1e-05"),
        // str(np.array(np.float64(1e16)))
        PrintCase({ Tensor(scalar: 1e16) }, "1e+16"),
        // str(np.array(np.float64(9999999999999998.0)))
        PrintCase({ Tensor(scalar: 9999999999999998.0) }, "9999999999999998.0"),
        // str(np.array(np.float64(123456789012345678.0)))
        PrintCase({ Tensor(scalar: 123456789012345678.0) }, "1.2345678901234568e+17"),
        // str(np.array(np.float64(0.0001)))
        PrintCase({ Tensor(scalar: 0.0001) }, "0.0001"),
        // str(np.array(np.float64(-0.0)))
        PrintCase({ Tensor(scalar: -0.0) }, "-0.0"),
        // str(np.array(np.float64(np.nan)))
        PrintCase({ Tensor(scalar: Double.nan) }, "nan"),
        // str(np.array(np.float64(-np.inf)))
        PrintCase({ Tensor(scalar: -Double.infinity) }, "-inf"),
        // str(np.array(np.float64(1/3)))
        PrintCase({ Tensor(scalar: 1.0 / 3) }, "0.3333333333333333"),
        // str(np.array(np.float64(5e-324)))
        PrintCase({ Tensor(scalar: Double.leastNonzeroMagnitude) }, "5e-324"),
        // str(np.array(np.float32(1e6)))
        PrintCase({ Tensor(scalar: Float(1e6)) }, "1e+06"),
        // str(np.array(np.float32(999999.94)))
        PrintCase({ Tensor(scalar: Float(999999.94)) }, "999999.94"),
        // str(np.array(np.float32(0.0001)))
        PrintCase({ Tensor(scalar: Float(0.0001)) }, "1e-04"),
        // str(np.array(np.float32(0.1)))
        PrintCase({ Tensor(scalar: Float(0.1)) }, "0.1"),
        // str(np.array(np.float32(16777216.0)))
        PrintCase({ Tensor(scalar: Float(16777216.0)) }, "1.6777216e+07"),
        // str(np.array(np.int64(-42)))
        PrintCase({ Tensor(scalar: Int64(-42)) }, "-42"),
        PrintCase({ Tensor(scalar: true) }, "true"),
    ]

    @Test(arguments: scalars)
    func zeroDimensionalPrintsTheValue(printCase: PrintCase) throws {
        #expect(try printCase.make().description == printCase.expected)
    }

    @Test(arguments: [[0], [2, 0], [0, 3, 4], [3, 0, 2]])
    func emptyTensorsPrintAsEmptyBrackets(shape: [Int]) throws {
        // numpy: str(np.zeros((2, 0))) == '[]'
        for dtype in DType.allCases {
            #expect(try Tensor.zeros(shape, dtype: dtype).description == "[]")
        }
    }

    @Test func stridedViewsPrintTheirLogicalOrder() throws {
        let matrix = try Tensor(shape: [2, 3], scalars: [1.0, 2, 3, 4, 5, 6.5])
        // The transpose as a view: shape [3, 2], strides [1, 3]. numpy: str(np.array([[1, 2, 3], [4, 5, 6.5]]).T)
        let transposed = Tensor(storage: matrix.storage, dtype: .float64, shape: [3, 2], strides: [1, 3], offset: 0)
        #expect(transposed.description == "[[1.  4. ]\n [2.  5. ]\n [3.  6.5]]")
        // Row 1 reversed: offset 5, stride -1. numpy: str(np.array([[1, 2, 3], [4, 5, 6.5]])[1, ::-1])
        let reversed = Tensor(storage: matrix.storage, dtype: .float64, shape: [3], strides: [-1], offset: 5)
        #expect(reversed.description == "[6.5 5.  4. ]")
        // A broadcast row (stride 0). numpy: str(np.broadcast_to(np.array([1, 2]), (3, 2)))
        let row = Tensor([Int64(1), 2])
        #expect(try row.broadcast(to: [3, 2]).description == "[[1 2]\n [1 2]\n [1 2]]")
        // Only the shown elements set the column width: the hidden middle holds a much wider number.
        var values = [Double](repeating: 1, count: 2000)
        values[1000] = 123456.0
        #expect(Tensor(values).description == "[1. 1. 1. ... 1. 1. 1.]")
    }

    @Test func interpolationUsesTheDescription() throws {
        let tensor = Tensor([Int64(3), 4])
        #expect("\(tensor)" == "[3 4]")
    }
}

@Suite struct SummaryTests {
    @Test func summaryOfAFloat32Matrix() throws {
        // Values 0, 1, …, 9 repeated: mean 4.5, population std sqrt(8.25) = 2.87228.
        let tensor = try Tensor(shape: [1000, 40], scalars: (0..<40_000).map { Float($0 % 10) })
        #expect(tensor.summary == "Tensor float32 [1000, 40] mean=4.5 std=2.87228 min=0 max=9")
    }

    @Test func summaryIsAccurateWithALargeMean() throws {
        // 1e9 + {0, 1}: the naive sum-of-squares formula loses every digit of the variance here.
        let tensor = Tensor((0..<200_000).map { 1e9 + Double($0 % 2) })
        #expect(tensor.summary == "Tensor float64 [200000] mean=1e+09 std=0.5 min=1e+09 max=1e+09")
    }

    @Test func summaryCountsNaNsAndHandlesOtherDtypes() throws {
        #expect(Tensor([1.0, .nan, 3, .nan]).summary == "Tensor float64 [4] mean=2 std=1 min=1 max=3 nan=2")
        #expect(Tensor([Double.nan]).summary == "Tensor float64 [1] nan=1")
        #expect(Tensor([Int64(-2), 2]).summary == "Tensor int64 [2] mean=0 std=2 min=-2 max=2")
        #expect(Tensor([true, false, true, true]).summary == "Tensor bool [4] mean=0.75 std=0.433013 min=0 max=1")
        #expect(try Tensor.zeros([0, 3]).summary == "Tensor float64 [0, 3] empty")
        #expect(Tensor(scalar: 2.5).summary == "Tensor float64 [] mean=2.5 std=0 min=2.5 max=2.5")
        // A non-contiguous view: the transpose of [[1, 2], [3, 5]].
        let matrix = try Tensor([[1.0, 2], [3, 5]])
        let transposed = Tensor(storage: matrix.storage, dtype: .float64, shape: [2, 2], strides: [1, 2], offset: 0)
        #expect(transposed.summary == "Tensor float64 [2, 2] mean=2.75 std=1.47902 min=1 max=5")
    }
}

/// Tests that change the thread count belong to the serialized GlobalState suite, which runs after all others.
extension GlobalStateTests {
    @Test("summary is the same whatever the thread count")
    func summaryIsThreadIndependent() throws {
        let tensor = try Tensor.randomNormal([300, 1000], seed: 5)
        let saved = Threads.count
        defer { try? Threads.set(saved) }
        try Threads.set(1)
        let single = tensor.summary
        try Threads.set(2)
        #expect(tensor.summary == single)
    }
}
