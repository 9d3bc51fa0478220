using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>Unicode's full case mappings that .NET's invariant (simple, one-to-one) ToUpper/ToLower lack, as CPython's
/// str.upper/lower/casefold/title apply them: SpecialCasing.txt's unconditional mappings (\u00df upper is "SS") and
/// CaseFolding.txt's full foldings that differ from lower(). Tables of Unicode 14.0 data (CPython 3.11's), BMP only:
/// no character outside it has a one-to-many mapping.</summary>
internal static class SpecialCasing
{
    private static readonly Dictionary<char, string> Upper = new()
    {
            { '\u00df', "\u0053\u0053" },
            { '\u0149', "\u02bc\u004e" },
            { '\u01f0', "\u004a\u030c" },
            { '\u0390', "\u0399\u0308\u0301" },
            { '\u03b0', "\u03a5\u0308\u0301" },
            { '\u0587', "\u0535\u0552" },
            { '\u1e96', "\u0048\u0331" },
            { '\u1e97', "\u0054\u0308" },
            { '\u1e98', "\u0057\u030a" },
            { '\u1e99', "\u0059\u030a" },
            { '\u1e9a', "\u0041\u02be" },
            { '\u1f50', "\u03a5\u0313" },
            { '\u1f52', "\u03a5\u0313\u0300" },
            { '\u1f54', "\u03a5\u0313\u0301" },
            { '\u1f56', "\u03a5\u0313\u0342" },
            { '\u1f80', "\u1f08\u0399" },
            { '\u1f81', "\u1f09\u0399" },
            { '\u1f82', "\u1f0a\u0399" },
            { '\u1f83', "\u1f0b\u0399" },
            { '\u1f84', "\u1f0c\u0399" },
            { '\u1f85', "\u1f0d\u0399" },
            { '\u1f86', "\u1f0e\u0399" },
            { '\u1f87', "\u1f0f\u0399" },
            { '\u1f88', "\u1f08\u0399" },
            { '\u1f89', "\u1f09\u0399" },
            { '\u1f8a', "\u1f0a\u0399" },
            { '\u1f8b', "\u1f0b\u0399" },
            { '\u1f8c', "\u1f0c\u0399" },
            { '\u1f8d', "\u1f0d\u0399" },
            { '\u1f8e', "\u1f0e\u0399" },
            { '\u1f8f', "\u1f0f\u0399" },
            { '\u1f90', "\u1f28\u0399" },
            { '\u1f91', "\u1f29\u0399" },
            { '\u1f92', "\u1f2a\u0399" },
            { '\u1f93', "\u1f2b\u0399" },
            { '\u1f94', "\u1f2c\u0399" },
            { '\u1f95', "\u1f2d\u0399" },
            { '\u1f96', "\u1f2e\u0399" },
            { '\u1f97', "\u1f2f\u0399" },
            { '\u1f98', "\u1f28\u0399" },
            { '\u1f99', "\u1f29\u0399" },
            { '\u1f9a', "\u1f2a\u0399" },
            { '\u1f9b', "\u1f2b\u0399" },
            { '\u1f9c', "\u1f2c\u0399" },
            { '\u1f9d', "\u1f2d\u0399" },
            { '\u1f9e', "\u1f2e\u0399" },
            { '\u1f9f', "\u1f2f\u0399" },
            { '\u1fa0', "\u1f68\u0399" },
            { '\u1fa1', "\u1f69\u0399" },
            { '\u1fa2', "\u1f6a\u0399" },
            { '\u1fa3', "\u1f6b\u0399" },
            { '\u1fa4', "\u1f6c\u0399" },
            { '\u1fa5', "\u1f6d\u0399" },
            { '\u1fa6', "\u1f6e\u0399" },
            { '\u1fa7', "\u1f6f\u0399" },
            { '\u1fa8', "\u1f68\u0399" },
            { '\u1fa9', "\u1f69\u0399" },
            { '\u1faa', "\u1f6a\u0399" },
            { '\u1fab', "\u1f6b\u0399" },
            { '\u1fac', "\u1f6c\u0399" },
            { '\u1fad', "\u1f6d\u0399" },
            { '\u1fae', "\u1f6e\u0399" },
            { '\u1faf', "\u1f6f\u0399" },
            { '\u1fb2', "\u1fba\u0399" },
            { '\u1fb3', "\u0391\u0399" },
            { '\u1fb4', "\u0386\u0399" },
            { '\u1fb6', "\u0391\u0342" },
            { '\u1fb7', "\u0391\u0342\u0399" },
            { '\u1fbc', "\u0391\u0399" },
            { '\u1fc2', "\u1fca\u0399" },
            { '\u1fc3', "\u0397\u0399" },
            { '\u1fc4', "\u0389\u0399" },
            { '\u1fc6', "\u0397\u0342" },
            { '\u1fc7', "\u0397\u0342\u0399" },
            { '\u1fcc', "\u0397\u0399" },
            { '\u1fd2', "\u0399\u0308\u0300" },
            { '\u1fd3', "\u0399\u0308\u0301" },
            { '\u1fd6', "\u0399\u0342" },
            { '\u1fd7', "\u0399\u0308\u0342" },
            { '\u1fe2', "\u03a5\u0308\u0300" },
            { '\u1fe3', "\u03a5\u0308\u0301" },
            { '\u1fe4', "\u03a1\u0313" },
            { '\u1fe6', "\u03a5\u0342" },
            { '\u1fe7', "\u03a5\u0308\u0342" },
            { '\u1ff2', "\u1ffa\u0399" },
            { '\u1ff3', "\u03a9\u0399" },
            { '\u1ff4', "\u038f\u0399" },
            { '\u1ff6', "\u03a9\u0342" },
            { '\u1ff7', "\u03a9\u0342\u0399" },
            { '\u1ffc', "\u03a9\u0399" },
            { '\ufb00', "\u0046\u0046" },
            { '\ufb01', "\u0046\u0049" },
            { '\ufb02', "\u0046\u004c" },
            { '\ufb03', "\u0046\u0046\u0049" },
            { '\ufb04', "\u0046\u0046\u004c" },
            { '\ufb05', "\u0053\u0054" },
            { '\ufb06', "\u0053\u0054" },
            { '\ufb13', "\u0544\u0546" },
            { '\ufb14', "\u0544\u0535" },
            { '\ufb15', "\u0544\u053b" },
            { '\ufb16', "\u054e\u0546" },
            { '\ufb17', "\u0544\u053d" },
    };

    private static readonly Dictionary<char, string> Fold = new()
    {
            { '\u00b5', "\u03bc" },
            { '\u00df', "\u0073\u0073" },
            { '\u0149', "\u02bc\u006e" },
            { '\u017f', "\u0073" },
            { '\u01f0', "\u006a\u030c" },
            { '\u0345', "\u03b9" },
            { '\u0390', "\u03b9\u0308\u0301" },
            { '\u03b0', "\u03c5\u0308\u0301" },
            { '\u03c2', "\u03c3" },
            { '\u03d0', "\u03b2" },
            { '\u03d1', "\u03b8" },
            { '\u03d5', "\u03c6" },
            { '\u03d6', "\u03c0" },
            { '\u03f0', "\u03ba" },
            { '\u03f1', "\u03c1" },
            { '\u03f5', "\u03b5" },
            { '\u0587', "\u0565\u0582" },
            { '\u13a0', "\u13a0" },
            { '\u13a1', "\u13a1" },
            { '\u13a2', "\u13a2" },
            { '\u13a3', "\u13a3" },
            { '\u13a4', "\u13a4" },
            { '\u13a5', "\u13a5" },
            { '\u13a6', "\u13a6" },
            { '\u13a7', "\u13a7" },
            { '\u13a8', "\u13a8" },
            { '\u13a9', "\u13a9" },
            { '\u13aa', "\u13aa" },
            { '\u13ab', "\u13ab" },
            { '\u13ac', "\u13ac" },
            { '\u13ad', "\u13ad" },
            { '\u13ae', "\u13ae" },
            { '\u13af', "\u13af" },
            { '\u13b0', "\u13b0" },
            { '\u13b1', "\u13b1" },
            { '\u13b2', "\u13b2" },
            { '\u13b3', "\u13b3" },
            { '\u13b4', "\u13b4" },
            { '\u13b5', "\u13b5" },
            { '\u13b6', "\u13b6" },
            { '\u13b7', "\u13b7" },
            { '\u13b8', "\u13b8" },
            { '\u13b9', "\u13b9" },
            { '\u13ba', "\u13ba" },
            { '\u13bb', "\u13bb" },
            { '\u13bc', "\u13bc" },
            { '\u13bd', "\u13bd" },
            { '\u13be', "\u13be" },
            { '\u13bf', "\u13bf" },
            { '\u13c0', "\u13c0" },
            { '\u13c1', "\u13c1" },
            { '\u13c2', "\u13c2" },
            { '\u13c3', "\u13c3" },
            { '\u13c4', "\u13c4" },
            { '\u13c5', "\u13c5" },
            { '\u13c6', "\u13c6" },
            { '\u13c7', "\u13c7" },
            { '\u13c8', "\u13c8" },
            { '\u13c9', "\u13c9" },
            { '\u13ca', "\u13ca" },
            { '\u13cb', "\u13cb" },
            { '\u13cc', "\u13cc" },
            { '\u13cd', "\u13cd" },
            { '\u13ce', "\u13ce" },
            { '\u13cf', "\u13cf" },
            { '\u13d0', "\u13d0" },
            { '\u13d1', "\u13d1" },
            { '\u13d2', "\u13d2" },
            { '\u13d3', "\u13d3" },
            { '\u13d4', "\u13d4" },
            { '\u13d5', "\u13d5" },
            { '\u13d6', "\u13d6" },
            { '\u13d7', "\u13d7" },
            { '\u13d8', "\u13d8" },
            { '\u13d9', "\u13d9" },
            { '\u13da', "\u13da" },
            { '\u13db', "\u13db" },
            { '\u13dc', "\u13dc" },
            { '\u13dd', "\u13dd" },
            { '\u13de', "\u13de" },
            { '\u13df', "\u13df" },
            { '\u13e0', "\u13e0" },
            { '\u13e1', "\u13e1" },
            { '\u13e2', "\u13e2" },
            { '\u13e3', "\u13e3" },
            { '\u13e4', "\u13e4" },
            { '\u13e5', "\u13e5" },
            { '\u13e6', "\u13e6" },
            { '\u13e7', "\u13e7" },
            { '\u13e8', "\u13e8" },
            { '\u13e9', "\u13e9" },
            { '\u13ea', "\u13ea" },
            { '\u13eb', "\u13eb" },
            { '\u13ec', "\u13ec" },
            { '\u13ed', "\u13ed" },
            { '\u13ee', "\u13ee" },
            { '\u13ef', "\u13ef" },
            { '\u13f0', "\u13f0" },
            { '\u13f1', "\u13f1" },
            { '\u13f2', "\u13f2" },
            { '\u13f3', "\u13f3" },
            { '\u13f4', "\u13f4" },
            { '\u13f5', "\u13f5" },
            { '\u13f8', "\u13f0" },
            { '\u13f9', "\u13f1" },
            { '\u13fa', "\u13f2" },
            { '\u13fb', "\u13f3" },
            { '\u13fc', "\u13f4" },
            { '\u13fd', "\u13f5" },
            { '\u1c80', "\u0432" },
            { '\u1c81', "\u0434" },
            { '\u1c82', "\u043e" },
            { '\u1c83', "\u0441" },
            { '\u1c84', "\u0442" },
            { '\u1c85', "\u0442" },
            { '\u1c86', "\u044a" },
            { '\u1c87', "\u0463" },
            { '\u1c88', "\ua64b" },
            { '\u1e96', "\u0068\u0331" },
            { '\u1e97', "\u0074\u0308" },
            { '\u1e98', "\u0077\u030a" },
            { '\u1e99', "\u0079\u030a" },
            { '\u1e9a', "\u0061\u02be" },
            { '\u1e9b', "\u1e61" },
            { '\u1e9e', "\u0073\u0073" },
            { '\u1f50', "\u03c5\u0313" },
            { '\u1f52', "\u03c5\u0313\u0300" },
            { '\u1f54', "\u03c5\u0313\u0301" },
            { '\u1f56', "\u03c5\u0313\u0342" },
            { '\u1f80', "\u1f00\u03b9" },
            { '\u1f81', "\u1f01\u03b9" },
            { '\u1f82', "\u1f02\u03b9" },
            { '\u1f83', "\u1f03\u03b9" },
            { '\u1f84', "\u1f04\u03b9" },
            { '\u1f85', "\u1f05\u03b9" },
            { '\u1f86', "\u1f06\u03b9" },
            { '\u1f87', "\u1f07\u03b9" },
            { '\u1f88', "\u1f00\u03b9" },
            { '\u1f89', "\u1f01\u03b9" },
            { '\u1f8a', "\u1f02\u03b9" },
            { '\u1f8b', "\u1f03\u03b9" },
            { '\u1f8c', "\u1f04\u03b9" },
            { '\u1f8d', "\u1f05\u03b9" },
            { '\u1f8e', "\u1f06\u03b9" },
            { '\u1f8f', "\u1f07\u03b9" },
            { '\u1f90', "\u1f20\u03b9" },
            { '\u1f91', "\u1f21\u03b9" },
            { '\u1f92', "\u1f22\u03b9" },
            { '\u1f93', "\u1f23\u03b9" },
            { '\u1f94', "\u1f24\u03b9" },
            { '\u1f95', "\u1f25\u03b9" },
            { '\u1f96', "\u1f26\u03b9" },
            { '\u1f97', "\u1f27\u03b9" },
            { '\u1f98', "\u1f20\u03b9" },
            { '\u1f99', "\u1f21\u03b9" },
            { '\u1f9a', "\u1f22\u03b9" },
            { '\u1f9b', "\u1f23\u03b9" },
            { '\u1f9c', "\u1f24\u03b9" },
            { '\u1f9d', "\u1f25\u03b9" },
            { '\u1f9e', "\u1f26\u03b9" },
            { '\u1f9f', "\u1f27\u03b9" },
            { '\u1fa0', "\u1f60\u03b9" },
            { '\u1fa1', "\u1f61\u03b9" },
            { '\u1fa2', "\u1f62\u03b9" },
            { '\u1fa3', "\u1f63\u03b9" },
            { '\u1fa4', "\u1f64\u03b9" },
            { '\u1fa5', "\u1f65\u03b9" },
            { '\u1fa6', "\u1f66\u03b9" },
            { '\u1fa7', "\u1f67\u03b9" },
            { '\u1fa8', "\u1f60\u03b9" },
            { '\u1fa9', "\u1f61\u03b9" },
            { '\u1faa', "\u1f62\u03b9" },
            { '\u1fab', "\u1f63\u03b9" },
            { '\u1fac', "\u1f64\u03b9" },
            { '\u1fad', "\u1f65\u03b9" },
            { '\u1fae', "\u1f66\u03b9" },
            { '\u1faf', "\u1f67\u03b9" },
            { '\u1fb2', "\u1f70\u03b9" },
            { '\u1fb3', "\u03b1\u03b9" },
            { '\u1fb4', "\u03ac\u03b9" },
            { '\u1fb6', "\u03b1\u0342" },
            { '\u1fb7', "\u03b1\u0342\u03b9" },
            { '\u1fbc', "\u03b1\u03b9" },
            { '\u1fbe', "\u03b9" },
            { '\u1fc2', "\u1f74\u03b9" },
            { '\u1fc3', "\u03b7\u03b9" },
            { '\u1fc4', "\u03ae\u03b9" },
            { '\u1fc6', "\u03b7\u0342" },
            { '\u1fc7', "\u03b7\u0342\u03b9" },
            { '\u1fcc', "\u03b7\u03b9" },
            { '\u1fd2', "\u03b9\u0308\u0300" },
            { '\u1fd3', "\u03b9\u0308\u0301" },
            { '\u1fd6', "\u03b9\u0342" },
            { '\u1fd7', "\u03b9\u0308\u0342" },
            { '\u1fe2', "\u03c5\u0308\u0300" },
            { '\u1fe3', "\u03c5\u0308\u0301" },
            { '\u1fe4', "\u03c1\u0313" },
            { '\u1fe6', "\u03c5\u0342" },
            { '\u1fe7', "\u03c5\u0308\u0342" },
            { '\u1ff2', "\u1f7c\u03b9" },
            { '\u1ff3', "\u03c9\u03b9" },
            { '\u1ff4', "\u03ce\u03b9" },
            { '\u1ff6', "\u03c9\u0342" },
            { '\u1ff7', "\u03c9\u0342\u03b9" },
            { '\u1ffc', "\u03c9\u03b9" },
            { '\uab70', "\u13a0" },
            { '\uab71', "\u13a1" },
            { '\uab72', "\u13a2" },
            { '\uab73', "\u13a3" },
            { '\uab74', "\u13a4" },
            { '\uab75', "\u13a5" },
            { '\uab76', "\u13a6" },
            { '\uab77', "\u13a7" },
            { '\uab78', "\u13a8" },
            { '\uab79', "\u13a9" },
            { '\uab7a', "\u13aa" },
            { '\uab7b', "\u13ab" },
            { '\uab7c', "\u13ac" },
            { '\uab7d', "\u13ad" },
            { '\uab7e', "\u13ae" },
            { '\uab7f', "\u13af" },
            { '\uab80', "\u13b0" },
            { '\uab81', "\u13b1" },
            { '\uab82', "\u13b2" },
            { '\uab83', "\u13b3" },
            { '\uab84', "\u13b4" },
            { '\uab85', "\u13b5" },
            { '\uab86', "\u13b6" },
            { '\uab87', "\u13b7" },
            { '\uab88', "\u13b8" },
            { '\uab89', "\u13b9" },
            { '\uab8a', "\u13ba" },
            { '\uab8b', "\u13bb" },
            { '\uab8c', "\u13bc" },
            { '\uab8d', "\u13bd" },
            { '\uab8e', "\u13be" },
            { '\uab8f', "\u13bf" },
            { '\uab90', "\u13c0" },
            { '\uab91', "\u13c1" },
            { '\uab92', "\u13c2" },
            { '\uab93', "\u13c3" },
            { '\uab94', "\u13c4" },
            { '\uab95', "\u13c5" },
            { '\uab96', "\u13c6" },
            { '\uab97', "\u13c7" },
            { '\uab98', "\u13c8" },
            { '\uab99', "\u13c9" },
            { '\uab9a', "\u13ca" },
            { '\uab9b', "\u13cb" },
            { '\uab9c', "\u13cc" },
            { '\uab9d', "\u13cd" },
            { '\uab9e', "\u13ce" },
            { '\uab9f', "\u13cf" },
            { '\uaba0', "\u13d0" },
            { '\uaba1', "\u13d1" },
            { '\uaba2', "\u13d2" },
            { '\uaba3', "\u13d3" },
            { '\uaba4', "\u13d4" },
            { '\uaba5', "\u13d5" },
            { '\uaba6', "\u13d6" },
            { '\uaba7', "\u13d7" },
            { '\uaba8', "\u13d8" },
            { '\uaba9', "\u13d9" },
            { '\uabaa', "\u13da" },
            { '\uabab', "\u13db" },
            { '\uabac', "\u13dc" },
            { '\uabad', "\u13dd" },
            { '\uabae', "\u13de" },
            { '\uabaf', "\u13df" },
            { '\uabb0', "\u13e0" },
            { '\uabb1', "\u13e1" },
            { '\uabb2', "\u13e2" },
            { '\uabb3', "\u13e3" },
            { '\uabb4', "\u13e4" },
            { '\uabb5', "\u13e5" },
            { '\uabb6', "\u13e6" },
            { '\uabb7', "\u13e7" },
            { '\uabb8', "\u13e8" },
            { '\uabb9', "\u13e9" },
            { '\uabba', "\u13ea" },
            { '\uabbb', "\u13eb" },
            { '\uabbc', "\u13ec" },
            { '\uabbd', "\u13ed" },
            { '\uabbe', "\u13ee" },
            { '\uabbf', "\u13ef" },
            { '\ufb00', "\u0066\u0066" },
            { '\ufb01', "\u0066\u0069" },
            { '\ufb02', "\u0066\u006c" },
            { '\ufb03', "\u0066\u0066\u0069" },
            { '\ufb04', "\u0066\u0066\u006c" },
            { '\ufb05', "\u0073\u0074" },
            { '\ufb06', "\u0073\u0074" },
            { '\ufb13', "\u0574\u0576" },
            { '\ufb14', "\u0574\u0565" },
            { '\ufb15', "\u0574\u056b" },
            { '\ufb16', "\u057e\u0576" },
            { '\ufb17', "\u0574\u056d" },
    };

    private static readonly Dictionary<char, string> Title = new()
    {
            { '\u00df', "\u0053\u0073" },
            { '\u0149', "\u02bc\u004e" },
            { '\u01c4', "\u01c5" },
            { '\u01c5', "\u01c5" },
            { '\u01c6', "\u01c5" },
            { '\u01c7', "\u01c8" },
            { '\u01c8', "\u01c8" },
            { '\u01c9', "\u01c8" },
            { '\u01ca', "\u01cb" },
            { '\u01cb', "\u01cb" },
            { '\u01cc', "\u01cb" },
            { '\u01f0', "\u004a\u030c" },
            { '\u01f1', "\u01f2" },
            { '\u01f2', "\u01f2" },
            { '\u01f3', "\u01f2" },
            { '\u0390', "\u0399\u0308\u0301" },
            { '\u03b0', "\u03a5\u0308\u0301" },
            { '\u0587', "\u0535\u0582" },
            { '\u10d0', "\u10d0" },
            { '\u10d1', "\u10d1" },
            { '\u10d2', "\u10d2" },
            { '\u10d3', "\u10d3" },
            { '\u10d4', "\u10d4" },
            { '\u10d5', "\u10d5" },
            { '\u10d6', "\u10d6" },
            { '\u10d7', "\u10d7" },
            { '\u10d8', "\u10d8" },
            { '\u10d9', "\u10d9" },
            { '\u10da', "\u10da" },
            { '\u10db', "\u10db" },
            { '\u10dc', "\u10dc" },
            { '\u10dd', "\u10dd" },
            { '\u10de', "\u10de" },
            { '\u10df', "\u10df" },
            { '\u10e0', "\u10e0" },
            { '\u10e1', "\u10e1" },
            { '\u10e2', "\u10e2" },
            { '\u10e3', "\u10e3" },
            { '\u10e4', "\u10e4" },
            { '\u10e5', "\u10e5" },
            { '\u10e6', "\u10e6" },
            { '\u10e7', "\u10e7" },
            { '\u10e8', "\u10e8" },
            { '\u10e9', "\u10e9" },
            { '\u10ea', "\u10ea" },
            { '\u10eb', "\u10eb" },
            { '\u10ec', "\u10ec" },
            { '\u10ed', "\u10ed" },
            { '\u10ee', "\u10ee" },
            { '\u10ef', "\u10ef" },
            { '\u10f0', "\u10f0" },
            { '\u10f1', "\u10f1" },
            { '\u10f2', "\u10f2" },
            { '\u10f3', "\u10f3" },
            { '\u10f4', "\u10f4" },
            { '\u10f5', "\u10f5" },
            { '\u10f6', "\u10f6" },
            { '\u10f7', "\u10f7" },
            { '\u10f8', "\u10f8" },
            { '\u10f9', "\u10f9" },
            { '\u10fa', "\u10fa" },
            { '\u10fd', "\u10fd" },
            { '\u10fe', "\u10fe" },
            { '\u10ff', "\u10ff" },
            { '\u1e96', "\u0048\u0331" },
            { '\u1e97', "\u0054\u0308" },
            { '\u1e98', "\u0057\u030a" },
            { '\u1e99', "\u0059\u030a" },
            { '\u1e9a', "\u0041\u02be" },
            { '\u1f50', "\u03a5\u0313" },
            { '\u1f52', "\u03a5\u0313\u0300" },
            { '\u1f54', "\u03a5\u0313\u0301" },
            { '\u1f56', "\u03a5\u0313\u0342" },
            { '\u1f80', "\u1f88" },
            { '\u1f81', "\u1f89" },
            { '\u1f82', "\u1f8a" },
            { '\u1f83', "\u1f8b" },
            { '\u1f84', "\u1f8c" },
            { '\u1f85', "\u1f8d" },
            { '\u1f86', "\u1f8e" },
            { '\u1f87', "\u1f8f" },
            { '\u1f88', "\u1f88" },
            { '\u1f89', "\u1f89" },
            { '\u1f8a', "\u1f8a" },
            { '\u1f8b', "\u1f8b" },
            { '\u1f8c', "\u1f8c" },
            { '\u1f8d', "\u1f8d" },
            { '\u1f8e', "\u1f8e" },
            { '\u1f8f', "\u1f8f" },
            { '\u1f90', "\u1f98" },
            { '\u1f91', "\u1f99" },
            { '\u1f92', "\u1f9a" },
            { '\u1f93', "\u1f9b" },
            { '\u1f94', "\u1f9c" },
            { '\u1f95', "\u1f9d" },
            { '\u1f96', "\u1f9e" },
            { '\u1f97', "\u1f9f" },
            { '\u1f98', "\u1f98" },
            { '\u1f99', "\u1f99" },
            { '\u1f9a', "\u1f9a" },
            { '\u1f9b', "\u1f9b" },
            { '\u1f9c', "\u1f9c" },
            { '\u1f9d', "\u1f9d" },
            { '\u1f9e', "\u1f9e" },
            { '\u1f9f', "\u1f9f" },
            { '\u1fa0', "\u1fa8" },
            { '\u1fa1', "\u1fa9" },
            { '\u1fa2', "\u1faa" },
            { '\u1fa3', "\u1fab" },
            { '\u1fa4', "\u1fac" },
            { '\u1fa5', "\u1fad" },
            { '\u1fa6', "\u1fae" },
            { '\u1fa7', "\u1faf" },
            { '\u1fa8', "\u1fa8" },
            { '\u1fa9', "\u1fa9" },
            { '\u1faa', "\u1faa" },
            { '\u1fab', "\u1fab" },
            { '\u1fac', "\u1fac" },
            { '\u1fad', "\u1fad" },
            { '\u1fae', "\u1fae" },
            { '\u1faf', "\u1faf" },
            { '\u1fb2', "\u1fba\u0345" },
            { '\u1fb3', "\u1fbc" },
            { '\u1fb4', "\u0386\u0345" },
            { '\u1fb6', "\u0391\u0342" },
            { '\u1fb7', "\u0391\u0342\u0345" },
            { '\u1fbc', "\u1fbc" },
            { '\u1fc2', "\u1fca\u0345" },
            { '\u1fc3', "\u1fcc" },
            { '\u1fc4', "\u0389\u0345" },
            { '\u1fc6', "\u0397\u0342" },
            { '\u1fc7', "\u0397\u0342\u0345" },
            { '\u1fcc', "\u1fcc" },
            { '\u1fd2', "\u0399\u0308\u0300" },
            { '\u1fd3', "\u0399\u0308\u0301" },
            { '\u1fd6', "\u0399\u0342" },
            { '\u1fd7', "\u0399\u0308\u0342" },
            { '\u1fe2', "\u03a5\u0308\u0300" },
            { '\u1fe3', "\u03a5\u0308\u0301" },
            { '\u1fe4', "\u03a1\u0313" },
            { '\u1fe6', "\u03a5\u0342" },
            { '\u1fe7', "\u03a5\u0308\u0342" },
            { '\u1ff2', "\u1ffa\u0345" },
            { '\u1ff3', "\u1ffc" },
            { '\u1ff4', "\u038f\u0345" },
            { '\u1ff6', "\u03a9\u0342" },
            { '\u1ff7', "\u03a9\u0342\u0345" },
            { '\u1ffc', "\u1ffc" },
            { '\ufb00', "\u0046\u0066" },
            { '\ufb01', "\u0046\u0069" },
            { '\ufb02', "\u0046\u006c" },
            { '\ufb03', "\u0046\u0066\u0069" },
            { '\ufb04', "\u0046\u0066\u006c" },
            { '\ufb05', "\u0053\u0074" },
            { '\ufb06', "\u0053\u0074" },
            { '\ufb13', "\u0544\u0576" },
            { '\ufb14', "\u0544\u0565" },
            { '\ufb15', "\u0544\u056b" },
            { '\ufb16', "\u054e\u0576" },
            { '\ufb17', "\u0544\u056d" },
    };

    /// <summary>Where .NET's invariant simple case mapping differs from CPython 3.11's: U+0131 and U+017F uppercase
    /// to ASCII I and S (.NET leaves them), and the letters .NET knows from Unicode 15/16 that are unassigned in
    /// CPython's Unicode 14.0 (they map to themselves there).</summary>
    private static bool UpperDiffers(int cp) => cp is 0x131 or 0x17f or 0x19b or 0x264 or 0x1c8a or 0xa7cd or 0xa7db or (>= 0x10d70 and <= 0x10d85);
    private static bool LowerDiffers(int cp) => cp is 0x1c89 or 0xa7cb or 0xa7cc or 0xa7da or 0xa7dc or (>= 0x10d50 and <= 0x10d65);

    /// <summary>Py_UNICODE_TOUPPER: CPython 3.11's simple uppercase mapping of one code point; a character with a
    /// one-to-many mapping gives its first character (CPython's _PyUnicode_ToUppercase reads the extended table:
    /// \u00df gives 'S', which is why _sre.unicode_iscased(0xdf) is true).</summary>
    public static int SimpleUpper(int cp)
    {
        if (cp < 128) return (uint)(cp - 'a') < 26 ? cp - 32 : cp;
        if ((uint)(cp - 0xD800) < 0x800 || cp > 0x10FFFF) return cp;
        if (cp >= 0xdf && cp <= 0xFFFF && Upper.TryGetValue((char)cp, out var full)) return full[0];
        if (UpperDiffers(cp)) return cp == 0x131 ? 'I' : cp == 0x17f ? 'S' : cp;
        return Rune.ToUpperInvariant(new Rune(cp)).Value;
    }

    /// <summary>Py_UNICODE_TOLOWER: CPython 3.11's simple lowercase mapping of one code point.</summary>
    public static int SimpleLower(int cp)
    {
        if (cp < 128) return (uint)(cp - 'A') < 26 ? cp + 32 : cp;
        if ((uint)(cp - 0xD800) < 0x800 || cp > 0x10FFFF) return cp;
        if (cp == 0x130) return 'i'; // the first character of its full lowercase "i\u0307"
        if (LowerDiffers(cp)) return cp;
        return Rune.ToLowerInvariant(new Rune(cp)).Value;
    }

    /// <summary>Whether a string has a character whose mapping is not .NET's: such a string is mapped a code point at
    /// a time (0xD803 leads the affected supplementary letters).</summary>
    private static bool NeedsFix(string s, bool upper)
    {
        foreach (char c in s)
        {
            if (c < 0x131) continue;
            if (c == 0xD803 || (upper ? UpperDiffers(c) : LowerDiffers(c))) return true;
        }
        return false;
    }

    private static void AppendMapped(StringBuilder sb, string s, ref int i, bool upper)
    {
        char c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            int cp = char.ConvertToUtf32(c, s[i + 1]);
            i++;
            sb.Append(char.ConvertFromUtf32(upper ? SimpleUpper(cp) : SimpleLower(cp)));
            return;
        }
        sb.Append((char)(upper ? SimpleUpper(c) : SimpleLower(c)));
    }

    public static string ToUpper(string s)
    {
        int i = 0;
        for (; i < s.Length; i++) if (s[i] >= 0xdf && Upper.ContainsKey(s[i])) break;
        bool fix = NeedsFix(s, true);
        if (i == s.Length && !fix) return s.ToUpperInvariant();
        var sb = new StringBuilder(s.Length + 8);
        for (i = 0; i < s.Length; i++)
        {
            if (Upper.TryGetValue(s[i], out var m)) sb.Append(m);
            else if (fix) AppendMapped(sb, s, ref i, true);
            else sb.Append(char.ToUpperInvariant(s[i]));
        }
        return sb.ToString();
    }

    /// <summary>lower(): U+0130 lowers to "i\u0307", and a capital sigma ending a word (a cased letter before it, none
    /// after it, case-ignorable characters skipped) lowers to the final form \u03c2, as CPython does.</summary>
    public static string ToLower(string s)
    {
        bool fix = NeedsFix(s, false);
        if (s.IndexOf('\u0130') < 0 && s.IndexOf('\u03a3') < 0 && !fix) return s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length + 4);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\u0130') sb.Append("i\u0307");
            else if (c == '\u03a3') sb.Append(IsFinalSigma(s, i) ? '\u03c2' : '\u03c3');
            else if (fix) AppendMapped(sb, s, ref i, false);
            else sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    public static string CaseFold(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            if (c == '\u0130') sb.Append("i\u0307");
            else if (Fold.TryGetValue(c, out var m)) sb.Append(m);
            else sb.Append(LowerDiffers(c) ? c : char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>The title case of one character (for str.title and str.capitalize).</summary>
    public static string TitleOf(char c) => Title.TryGetValue(c, out var m) ? m : ((char)SimpleUpper(c)).ToString();

    private static bool IsCaseIgnorable(char c)
    {
        var cat = char.GetUnicodeCategory(c);
        return c == '\'' || c == '.' || c == ':' || c == '^' || c == '`' || c == '\u00b7' || c == '\u2019'
            || cat is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark
                or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.ModifierLetter
                or System.Globalization.UnicodeCategory.ModifierSymbol;
    }

    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.TitlecaseLetter;

    private static bool IsFinalSigma(string s, int i)
    {
        int j = i - 1;
        while (j >= 0 && IsCaseIgnorable(s[j])) j--;
        if (j < 0 || !IsCased(s[j])) return false;
        j = i + 1;
        while (j < s.Length && IsCaseIgnorable(s[j])) j++;
        return j == s.Length || !IsCased(s[j]);
    }
}
